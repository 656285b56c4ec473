#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/structure.h"
#include "dugao/util.h"

/* What the sink received, copied. */
struct got_section {
	long seq, parent, para, offset, length;	/* as delivered */
	int level;				/* as delivered */
	bool in_paragraph;			/* as delivered */
	char marker[64], title[256];		/* as delivered */
	long paragraphs_before;			/* paragraphs delivered before it */
};

struct got_para {
	long seq, section, line;	/* as delivered */
	enum para_kind kind;		/* as delivered */
	char text[512];			/* start of the text */
};

struct got {
	char title[512];		/* the document title */
	int titles;			/* times the title callback ran */
	struct got_section sec[256];	/* sections in order */
	int nsec;			/* how many */
	struct got_para para[256];	/* paragraphs in order */
	int npara;			/* how many */
};

static int on_title(void *ctx, const char *t)
{
	struct got *g = ctx;
	snprintf(g->title, sizeof g->title, "%s", t);
	g->titles++;
	return 0;
}

static int on_section(void *ctx, const struct section *s)
{
	struct got *g = ctx;
	if (g->nsec < 256) {
		struct got_section *o = &g->sec[g->nsec];
		o->seq = s->seq, o->parent = s->parent, o->para = s->para, o->offset = s->offset;
		o->length = s->length, o->level = s->level, o->in_paragraph = s->in_paragraph;
		snprintf(o->marker, sizeof o->marker, "%s", s->marker);
		snprintf(o->title, sizeof o->title, "%s", s->title);
		o->paragraphs_before = g->npara;
	}
	g->nsec++;
	return 0;
}

static int on_para(void *ctx, const struct para *p)
{
	struct got *g = ctx;
	if (g->npara < 256) {
		struct got_para *o = &g->para[g->npara];
		o->seq = p->seq, o->section = p->section, o->line = p->line, o->kind = p->kind;
		snprintf(o->text, sizeof o->text, "%.*s", (int)(p->len < 500 ? p->len : 500), p->text);
	}
	g->npara++;
	return 0;
}

/* Runs lines (NULL-terminated; a line starting with "!" is noise) through both passes. */
static struct got *run(const char *const *lines)
{
	struct got *g = xcalloc(1, sizeof *g);
	struct structure_sink sink = { g, on_title, on_section, on_para };
	struct structure *st = structure_new(&sink, "fallback");
	for (int i = 0; lines[i]; i++)
		structure_prescan_line(st, lines[i], strlen(lines[i]));
	for (int i = 0; lines[i]; i++) {
		bool noise = lines[i][0] == '!';
		const char *l = lines[i] + noise;
		CHECK(structure_line(st, l, strlen(l), noise, i + 1) == 0);
	}
	CHECK(structure_finish(st) == 0);
	CHECK_INT(structure_sections(st), g->nsec);
	structure_free(st);
	return g;
}

/* The section whose marker and title are as given, or NULL. */
static const struct got_section *find(const struct got *g, const char *marker, const char *title_start)
{
	for (int i = 0; i < g->nsec && i < 256; i++)
		if (!strcmp(g->sec[i].marker, marker) && !strncmp(g->sec[i].title, title_start, strlen(title_start)))
			return &g->sec[i];
	return NULL;
}

static bool has_section_in(const struct got *g, const char *text)
{
	for (int i = 0; i < g->nsec && i < 256; i++)
		if (strstr(g->sec[i].title, text) || strstr(g->sec[i].marker, text))
			return true;
	return false;
}

#define EXPECT_SEC(g, marker, title, lvl)                                       \
	do {                                                                    \
		const struct got_section *s_ = find(g, marker, title);          \
		CHECK(s_ != NULL);                                              \
		if (s_)                                                         \
			CHECK_INT(s_->level, lvl);                              \
		else                                                            \
			fprintf(stderr, "  missing: %s %s\n", marker, title);   \
	} while (0)

/* Every marker style, nested in the order they first appear. */
static void test_marker_styles(void)
{
	static const char *const lines[] = {
		"关于推进工作的意见",
		"第一部分 总体形势",
		"第一章 总则",
		"第一节 基本要求",
		"一、总体要求",
		"（一）指导思想",
		"1．全角点编号",
		"（1）括号数字",
		"⑴带括号的数字",
		"①圈号数字",
		"②圈号第二项",
		"(2)半角括号数字",
		"2.半角点编号",
		"3、顿号编号",
		"(二)半角括号汉字",
		"二、第二部分标题",
		"第一个问题：信心要更加坚定",
		"这是一段正文，讲了很多内容。",
		"第二个问题：思路要更加清晰",
		"一",
		"附件1",
		NULL,
	};
	struct got *g = run(lines);
	CHECK_STR(g->title, "关于推进工作的意见");
	EXPECT_SEC(g, "第一部分", "总体形势", 1);
	EXPECT_SEC(g, "第一章", "总则", 2);
	EXPECT_SEC(g, "第一节", "基本要求", 3);
	EXPECT_SEC(g, "一、", "总体要求", 4);
	EXPECT_SEC(g, "（一）", "指导思想", 5);
	EXPECT_SEC(g, "1．", "全角点编号", 6);
	EXPECT_SEC(g, "（1）", "括号数字", 7);
	EXPECT_SEC(g, "⑴", "带括号的数字", 8);
	EXPECT_SEC(g, "①", "圈号数字", 9);
	EXPECT_SEC(g, "②", "圈号第二项", 9);
	EXPECT_SEC(g, "(2)", "半角括号数字", 7);	/* half-width form of the same style */
	EXPECT_SEC(g, "2.", "半角点编号", 6);
	EXPECT_SEC(g, "3、", "顿号编号", 7);		/* 1、 is its own style, one deeper */
	EXPECT_SEC(g, "(二)", "半角括号汉字", 5);
	EXPECT_SEC(g, "二、", "第二部分标题", 4);
	EXPECT_SEC(g, "第一个问题：", "信心要更加坚定", 5);
	EXPECT_SEC(g, "第二个问题：", "思路要更加清晰", 5);
	EXPECT_SEC(g, "一", "", 6);			/* a bare numeral is a heading with no title */
	EXPECT_SEC(g, "附件1", "", 1);			/* an attachment starts again at the top */
	/* Parents and the paragraph each heading stands in. */
	const struct got_section *a = find(g, "（一）", "指导思想"), *b = find(g, "一、", "总体要求");
	if (a && b)
		CHECK_INT(a->parent, b->seq);
	for (int i = 0; i < g->npara; i++)
		if (g->para[i].kind == PARA_HEADING)
			CHECK(g->para[i].section >= 0);
	free(g);
}

/* Headings opening a paragraph, enumerations inside one, offsets and lengths. */
static void test_in_paragraph(void)
{
	static const char *const lines[] = {
		"在全区工作会议上的讲话",
		"同志们：",
		"今天我讲三点意见。",
		"一、以强烈的责任感推动落实。一是要破解发展难题。正文内容。二是要完成六保任务。正文。",
		"正文段落，没有编号。",
		"二、在创新方式中加快落实。",
		"二是做好三件大事。正文。一是循环经济。正文。二是新能源产业。正文。三是新兴产业。正文。",
		"三是蹚出四条新路。正文。",
		NULL,
	};
	static const char *const questions[] = {
		"在区委务虚会上的讲话",
		"第三个问题：氛围要更加浓厚",
		"营造氛围，必须要有工作作风。第一，抓落实要有求实的态度。正文。第二，抓落实要有实干的精神。",
		"我们要做到以下几点：首先，要提高认识。其次，要加强领导。最后，要抓好落实。",
		"重点抓好三个方面，一是加强组织领导；二是完善工作机制；三是强化督查考核。",
		"原因有二。其一，认识不到位。其二，措施不得力。",
		NULL,
	};
	struct got *g = run(lines);
	CHECK_STR(g->title, "在全区工作会议上的讲话");
	CHECK_INT(g->para[1].kind, PARA_SALUTATION);
	const struct got_section *one = find(g, "一、", "以强烈的责任感推动落实");
	CHECK(one != NULL);
	if (one) {
		CHECK_INT(one->level, 1);
		CHECK(!one->in_paragraph);
		CHECK_INT(one->offset, 0);
		CHECK_INT(one->length, 2 + 11);
	}
	const struct got_section *a = find(g, "一是", "要破解发展难题");
	CHECK(a != NULL);
	if (a && one) {
		CHECK_INT(a->level, 2);
		CHECK(a->in_paragraph);
		CHECK_INT(a->parent, one->seq);
		CHECK_INT(a->para, one->para);
		CHECK_INT(a->offset, 14);	/* after "一、以强烈的责任感推动落实。" */
		CHECK_INT(a->length, 2 + 7);
	}
	EXPECT_SEC(g, "二是", "要完成六保任务", 2);
	/* The paragraph after an in-paragraph list belongs to the heading, not to 二是. */
	for (int i = 0; i < g->npara; i++)
		if (!strcmp(g->para[i].text, "正文段落，没有编号。") && one)
			CHECK_INT(g->para[i].section, one->seq);
	/* 二是 opens a paragraph; 一是 inside it starts a new list one deeper. */
	EXPECT_SEC(g, "二是", "做好三件大事", 2);
	EXPECT_SEC(g, "一是", "循环经济", 3);
	EXPECT_SEC(g, "二是", "新能源产业", 3);
	EXPECT_SEC(g, "三是", "新兴产业", 3);
	EXPECT_SEC(g, "三是", "蹚出四条新路", 2);
	/* Sections come before the paragraph that holds them. */
	for (int i = 0; i < g->nsec; i++)
		CHECK_INT(g->sec[i].paragraphs_before, g->sec[i].para);
	free(g);

	g = run(questions);
	EXPECT_SEC(g, "第三个问题：", "氛围要更加浓厚", 1);
	EXPECT_SEC(g, "第一，", "抓落实要有求实的态度", 2);
	EXPECT_SEC(g, "第二，", "抓落实要有实干的精神", 2);
	EXPECT_SEC(g, "首先，", "要提高认识", 2);
	EXPECT_SEC(g, "其次，", "要加强领导", 2);
	EXPECT_SEC(g, "最后，", "要抓好落实", 2);
	EXPECT_SEC(g, "一是", "加强组织领导", 2);	/* after a comma, when the list goes on */
	EXPECT_SEC(g, "二是", "完善工作机制", 2);
	EXPECT_SEC(g, "三是", "强化督查考核", 2);
	EXPECT_SEC(g, "其一，", "认识不到位", 2);
	EXPECT_SEC(g, "其二，", "措施不得力", 2);
	free(g);

	/* 一是 items are leaves: a numbered heading after them is not their child. */
	static const char *const leaves[] = {
		"工作报告",
		"一、总体要求",
		"一是坚持稳中求进。正文。",
		"二是坚持改革创新。正文。",
		"（一）指导思想",
		"正文。",
		NULL,
	};
	g = run(leaves);
	EXPECT_SEC(g, "一是", "坚持稳中求进", 2);
	EXPECT_SEC(g, "（一）", "指导思想", 2);
	free(g);
}

/* Numbers and ordinals in body text are not headings. */
static void test_false_positives(void)
{
	static const char *const lines[] = {
		"政府工作报告",
		"（2026年X月X日）",
		"各位代表：",
		"2020年全市经济增长1.5%，完成3个重点项目。",
		"1.5%的增长来之不易，要继续努力。",
		"统一是前提。团结一是基础，这句话不是列举。",
		"第一次会议在北京召开。第一书记要带头干。",
		"第一个百年奋斗目标已经实现。",
		"一、二季度经济运行平稳。",
		"必须解决的问题很多。首先要解决好发展不充分的问题。",
		"我们认为。一是要坚持，但后面没有二是。",
		"三要素齐全。",
		"我们的工作，一是加强领导，二是完善机制，都很重要。",
		"10、20、30这几个数字。",
		"首先，要明确的是，这不是一个列举。",
		"第一条高铁建成通车。",
		"2025年1月5日",
		NULL,
	};
	struct got *g = run(lines);
	CHECK_INT(g->nsec, 0);
	for (int i = 0; i < g->nsec && i < 256; i++)
		fprintf(stderr, "  unexpected heading: %s %s\n", g->sec[i].marker, g->sec[i].title);
	CHECK_STR(g->title, "政府工作报告");
	CHECK_INT(g->para[1].kind, PARA_META);
	CHECK_INT(g->para[2].kind, PARA_SALUTATION);
	CHECK_INT(g->para[g->npara - 1].kind, PARA_META);	/* a date line */
	free(g);
}

/* The title block: adverts, banners, a title broken over lines, subtitle, date, author. */
static void test_title_block(void)
{
	static const char *const adverts[] = {
		"仅供学习 禁止外传",
		"某某文库",
		"自建平台、实时分享",
		"现在订阅立享所有资料",
		"",
		"【会员资料仅供内部交流使用】",
		"在全市经济工作会议上的讲话",
		"",
		"某某整理，咨询QQ12345",
		"同志们：",
		"今天召开会议，主要任务是总结工作。",
		NULL,
	};
	struct got *g = run(adverts);
	CHECK_STR(g->title, "在全市经济工作会议上的讲话");
	CHECK_INT(g->titles, 1);
	free(g);

	static const char *const broken[] = {
		"决胜全面建成小康社会",
		"夺取新时代伟大胜利",
		"——在第十九次全国代表大会上的报告",
		"（2017年10月18日）",
		"习近平",
		"",
		"同志们：现在，我代表中央委员会向大会作报告。",
		NULL,
	};
	g = run(broken);
	CHECK_STR(g->title, "决胜全面建成小康社会 夺取新时代伟大胜利");
	CHECK_INT(g->para[0].kind, PARA_TITLE);
	CHECK_INT(g->para[1].kind, PARA_TITLE);
	CHECK_INT(g->para[2].kind, PARA_META);
	CHECK_INT(g->para[3].kind, PARA_META);
	CHECK_INT(g->para[4].kind, PARA_META);
	free(g);

	static const char *const subtitle[] = {
		"政府工作报告",
		"——2026年1月26日在某省第十四届",
		"人民代表大会第五次会议上",
		"某省省长 张三",
		"各位代表：",
		"现在，我代表省人民政府，向大会报告工作。",
		NULL,
	};
	g = run(subtitle);
	CHECK_STR(g->title, "政府工作报告");
	CHECK_INT(g->para[1].kind, PARA_META);
	CHECK(strstr(g->para[1].text, "会议上") != NULL);	/* the broken subtitle joined */
	CHECK_INT(g->para[2].kind, PARA_META);
	CHECK_INT(g->para[3].kind, PARA_SALUTATION);
	free(g);

	static const char *const untitled[] = {
		"一、着力推进产业转型升级",
		"（一）突出发展健康养殖。加快推进规划编制。",
		NULL,
	};
	g = run(untitled);
	CHECK_STR(g->title, "fallback");
	CHECK_INT(g->nsec, 2);
	free(g);

	static const char *const noise[] = {
		"!仅供学习",
		"!酷乐文行",
		"学习贯彻全会精神研讨发言",
		"!某某整理，咨询QQ206157060",
		"全会是在历史交汇点召开的一次重要会议。",
		NULL,
	};
	g = run(noise);
	CHECK_STR(g->title, "学习贯彻全会精神研讨发言");
	CHECK_INT(g->para[0].kind, PARA_NOISE);
	CHECK_INT(g->para[2].kind, PARA_TITLE);
	free(g);
}

/* Heading lines with no number: 前言 and 结束语 at the top, a section name between
 * paragraphs where the others are numbered, and top-level sections with no number. */
static void test_plain_headings(void)
{
	static const char *const report[] = {
		"关于推进社区建设的调研报告",
		"前　言",
		"社区是城市治理的基本单元。今年以来，我们围绕社区建设开展了专题调研。",
		"一、基本情况",
		"全市共有社区三百个，服务人口一百二十万。",
		"（一）组织体系",
		"各社区都建立了党组织，网格员队伍基本配齐。",
		"二、存在问题",
		"主要是服务能力还不够强，专业人才偏少。",
		"结束语",
		"社区建设是一项长期任务，需要持续用力、久久为功。",
		NULL,
	};
	struct got *g = run(report);
	CHECK_STR(g->title, "关于推进社区建设的调研报告");
	EXPECT_SEC(g, "", "前　言", 1);
	EXPECT_SEC(g, "一、", "基本情况", 1);
	EXPECT_SEC(g, "（一）", "组织体系", 2);
	EXPECT_SEC(g, "二、", "存在问题", 1);
	EXPECT_SEC(g, "", "结束语", 1);
	CHECK_INT(g->nsec, 5);
	for (int i = 0; i < g->npara; i++)
		if (!strcmp(g->para[i].text, "结束语"))
			CHECK_INT(g->para[i].kind, PARA_HEADING);
	free(g);

	/* An unnumbered line in the place of a （三）: its list items go under it, and the
	 * next 二、 is back at the top. */
	static const char *const sibling[] = {
		"在全区经济工作会议上的讲话",
		"同志们：",
		"今天召开会议，主要任务是部署明年工作。",
		"一、回顾今年工作",
		"（一）经济运行总体平稳",
		"全年经济增长较快，各项指标好于预期。",
		"（二）改革开放持续深化",
		"重点领域改革取得新突破。",
		"看清前进的方向，坚定发展的信心",
		"明年经济工作要把握好以下关系。一是稳与进的关系。二是快与好的关系。",
		"二、部署明年工作",
		"（一）抓好项目建设",
		"项目是发展的支撑，要紧盯不放。",
		NULL,
	};
	g = run(sibling);
	EXPECT_SEC(g, "", "看清前进的方向，坚定发展的信心", 2);
	EXPECT_SEC(g, "一是", "稳与进的关系", 3);
	EXPECT_SEC(g, "二是", "快与好的关系", 3);
	EXPECT_SEC(g, "二、", "部署明年工作", 1);
	EXPECT_SEC(g, "（一）", "抓好项目建设", 2);
	CHECK_INT(g->nsec, 8);
	free(g);

	/* Sections with no number over numbered ones: the second is a sibling of the first. */
	static const char *const parts[] = {
		"在全县农业工作会议上的讲话",
		"同志们：",
		"这次会议很重要，我讲两个方面的意见。",
		"关于去年的工作",
		"（一）粮食生产稳定",
		"全年粮食总产量保持稳定，再获丰收。",
		"（二）农民收入增加",
		"农民人均可支配收入增长百分之七。",
		"关于今年的任务",
		"今年的任务十分繁重，必须抓好落实。",
		"（一）稳定粮食生产",
		"要落实好各项扶持政策。",
		NULL,
	};
	g = run(parts);
	EXPECT_SEC(g, "", "关于去年的工作", 1);
	EXPECT_SEC(g, "（二）", "农民收入增加", 2);
	EXPECT_SEC(g, "", "关于今年的任务", 1);
	EXPECT_SEC(g, "（一）", "稳定粮食生产", 2);
	CHECK_INT(g->nsec, 5);
	free(g);

	/* In a top-level section with no subsection yet, a heading line with no number is
	 * its first subsection; the next one is its sibling. A line of verse is no heading. */
	static const char *const subs[] = {
		"在全市招商工作会议上的讲话",
		"同志们：",
		"今天召开会议，主要任务是总结去年工作。",
		"一、去年工作成效明显",
		"去年以来，全市上下真抓实干，取得了明显成效。",
		"招大引强成效明显",
		"全年引进重大项目一百二十个，同比增长百分之十五。",
		"营商环境持续改善",
		"企业开办时间压缩到一个工作日以内。",
		"二、今年工作安排",
		"把握形势",
		"当前，招商引资面临的形势复杂严峻。",
		"长风破浪会有时，直挂云帆济沧海",
		"只要我们坚定信心，就一定能够战胜困难。",
		"几点具体要求",
		"一是提高认识。正文。",
		"二是压实责任。正文。",
		NULL,
	};
	g = run(subs);
	EXPECT_SEC(g, "", "招大引强成效明显", 2);
	EXPECT_SEC(g, "", "营商环境持续改善", 2);
	EXPECT_SEC(g, "二、", "今年工作安排", 1);
	EXPECT_SEC(g, "", "把握形势", 2);	/* right under its section's heading line */
	EXPECT_SEC(g, "", "几点具体要求", 2);
	EXPECT_SEC(g, "一是", "提高认识", 3);
	EXPECT_SEC(g, "二是", "压实责任", 3);
	CHECK(!has_section_in(g, "长风破浪"));
	CHECK_INT(g->nsec, 8);
	free(g);
}

/* Short lines that are no headings: quotations, dash items, a line cut before its
 * colon, years, lists of short lines, closing formulas, signatures, attachment titles. */
static void test_plain_refused(void)
{
	static const char *const lines[] = {
		"关于做好安全生产工作的通知",
		"各乡镇人民政府，县直有关部门：",
		"为切实做好安全生产工作，现就有关事项通知如下。",
		"一、坚持安全发展理念，",
		"推动安全生产形势持续好转",
		"各单位要牢固树立安全发展理念，坚守安全红线。",
		"“安全第一、预防为主”",
		"这是安全生产工作必须坚持的方针，各单位要认真贯彻。",
		"——坚持人民至上",
		"要把人民群众生命安全放在第一位，时刻绷紧这根弦。",
		"会议强调",
		"各单位要压实责任，确保不发生重大事故。",
		"2026年安全生产工作要点",
		"各单位要对照要点抓好落实，按时报送进展。",
		"今年安全生产工作的",
		"主要目标",
		"是：事故总量继续下降，较大事故得到遏制。",
		"主要做法有三条。",
		"加强组织领导",
		"压实工作责任",
		"严格督查考核",
		"以上做法在实践中取得了较好效果。",
		"各位代表",
		"我们要以更加有力的措施推动工作。",
		"特此通知",
		"县安全生产委员会办公室",
		"2026年3月1日",
		"附件：",
		"安全生产检查表",
		"检查内容包括制度建设、隐患排查等方面。",
		NULL,
	};
	struct got *g = run(lines);
	CHECK_INT(g->nsec, 2);	/* 一、 and 附件： */
	EXPECT_SEC(g, "附件：", "", 1);
	for (int i = 0; i < g->nsec && i < 256; i++)
		if (strcmp(g->sec[i].marker, "附件：") && strcmp(g->sec[i].marker, "一、"))
			fprintf(stderr, "  unexpected heading: %s %s\n", g->sec[i].marker, g->sec[i].title);
	free(g);

	/* A speech that ends with its thanks and no text after a heading-like line. */
	static const char *const ending[] = {
		"在表彰大会上的讲话",
		"同志们：",
		"今天我们隆重集会，表彰先进集体和先进个人。",
		"希望大家再接再厉，再创佳绩。",
		"谢谢大家",
		NULL,
	};
	g = run(ending);
	CHECK_INT(g->nsec, 0);
	free(g);
}

/* Note marks after a full stop are not list items; a list announced before its first
 * item, or going on from the paragraph's opening item, still is. */
static void test_note_marks(void)
{
	static const char *const notes[] = {
		"学习笔记",
		"这是第一段正文，讲了一些情况。我们要认真学习这一重要思想。①这一思想是在长期实践中形成的，内容十分丰富。②后面还有正文。",
		"全会强调要加强领导。（1）这里的领导是指党的全面领导。后面还有很多内容，都是正文。（2）这也是一个注释。",
		"会议指出要坚持稳中求进。⑴稳中求进是重要原则。⑵要长期坚持。",
		NULL,
	};
	struct got *g = run(notes);
	CHECK_INT(g->nsec, 0);
	for (int i = 0; i < g->nsec && i < 256; i++)
		fprintf(stderr, "  unexpected heading: %s %s\n", g->sec[i].marker, g->sec[i].title);
	free(g);

	static const char *const lists[] = {
		"工作方案",
		"一、主要任务",
		"今年重点抓好三项工作。①建设便民服务中心。②推行一窗通办。③开展上门服务。",
		"具体措施如下。（1）完善制度。（2）加强考核。",
		"（1）明确责任分工。正文内容。（2）健全工作机制。正文内容。",
		NULL,
	};
	g = run(lists);
	EXPECT_SEC(g, "①", "建设便民服务中心", 2);
	EXPECT_SEC(g, "③", "开展上门服务", 2);
	EXPECT_SEC(g, "（2）", "加强考核", 2);
	EXPECT_SEC(g, "（1）", "明确责任分工", 2);
	EXPECT_SEC(g, "（2）", "健全工作机制", 2);
	CHECK_INT(g->nsec, 8);
	free(g);

	/* Hard-wrapped text whose paragraphs start indented: a note mark at the start of a
	 * line that is not indented goes on with the paragraph. */
	static const char *const wrapped[] = {
		"关于做好当前工作的通知",
		"",
		"　　为贯彻落实上级部署，进一步做好当前各项工作，现就有关事项",
		"通知如下，请各单位结合实际认真抓好贯彻落实，确保各项工作任务",
		"落到实处，取得实效。",
		"　　各单位要充分认识做好当前工作的重要性和紧迫性，切实把思想",
		"和行动统一到上级决策部署上来，在工作中坚定不移地贯彻执行。",
		"①这一要求是在长期实践中形成的，内容十分丰富，必须长期坚持下",
		"去，不能有丝毫动摇和懈怠，要持之以恒地抓下去，抓出成效来。",
		"　　各单位主要负责同志要亲自抓、负总责，认真落实到位，确保各",
		"项工作有人管、有人抓，有人负责到底不放松，切实担起责任来。",
		NULL,
	};
	g = run(wrapped);
	CHECK_INT(g->nsec, 0);
	CHECK_INT(g->npara, 4);
	free(g);
}

/* The notes at the end of a document: numbered lines after 注释： and lines that cite a
 * source are no headings; a heading of another kind ends the notes. */
static void test_notes(void)
{
	static const char *const lines[] = {
		"论学习的方法",
		"一、读书要有计划",
		"读书要有计划，循序渐进，不可贪多求快。",
		"注释：",
		"①这是作者在一次座谈会上的说法。",
		"②同上书，第二部分。",
		"二、读书要联系实际",
		"理论联系实际，是我们的优良作风。",
		"（1）见《读书文集》第一卷，某某出版社2001年版，第35页。",
		"⑵参见本书第三章。",
		"三、工作安排",
		"1．完善政府网站首页。",
		"2．加强内容更新。",
		NULL,
	};
	struct got *g = run(lines);
	EXPECT_SEC(g, "一、", "读书要有计划", 1);
	EXPECT_SEC(g, "二、", "读书要联系实际", 1);
	EXPECT_SEC(g, "1．", "完善政府网站首页", 2);	/* a page, but no page number */
	EXPECT_SEC(g, "2．", "加强内容更新", 2);
	CHECK_INT(g->nsec, 5);
	free(g);
}

/* 第一个阶段， 第二个层面： count as topics, as 第一个问题 does. */
static void test_topic_words(void)
{
	static const char *const lines[] = {
		"发展规划纲要",
		"一、总体安排",
		"从现在到本世纪中叶，可以分两个阶段来安排。",
		"第一个阶段，从现在到二〇三〇年，基本完成主要任务。",
		"第二个阶段，从二〇三〇年到二〇五〇年，全面实现发展目标。",
		"第一个百年奋斗目标已经实现。",
		"第一个吃螃蟹的人值得尊敬。",
		NULL,
	};
	struct got *g = run(lines);
	EXPECT_SEC(g, "第一个阶段，", "从现在到二〇三〇年", 2);
	EXPECT_SEC(g, "第二个阶段，", "从二〇三〇年到二〇五〇年", 2);
	CHECK_INT(g->nsec, 3);
	free(g);
}

/* A list that previews the headings coming next is not itself in the outline. */
static void test_preview(void)
{
	static const char *const lines[] = {
		"目前的形势和任务",
		"我讲两个问题。第一，要有一条坚定的路线；第二，要有一个安定的局面。",
		"第一，要有一条坚定的路线。正文。",
		"第二，要有一个安定的局面。正文。",
		NULL,
	};
	struct got *g = run(lines);
	CHECK_INT(g->nsec, 2);
	for (int i = 0; i < g->nsec && i < 256; i++)
		CHECK(!g->sec[i].in_paragraph);
	free(g);
}

/* Any numbering style runs inside a paragraph when it goes in order: after the
 * paragraph's own opening item (首先，…。其次，…; ①…；②…), or after a colon. */
static void test_inline_styles(void)
{
	static const char *const lines[] = {
		"关于加强基层治理的实施意见",
		"（2025年3月1日）",
		"各乡镇人民政府：",
		"为贯彻落实上级部署，现提出如下意见。",
		"第一章 主要任务",
		"第一节 健全组织体系",
		"首先，要健全领导体制。其次，要完善村级组织。最后，要加强队伍建设。",
		"第二节 提升服务能力",
		"①建设便民服务中心；②推行一窗通办；③开展上门服务。",
		"第三节 强化保障",
		"主要做好两件事：（1）落实经费保障；（2）加强督促检查。",
		"具体要求如下：1．按时报送材料。2．严格审核把关。",
		"一要统一思想。正文。二要狠抓落实。正文。",
		"第四节 工作要求",
		"第一，提高认识。正文。第二，压实责任。正文。",
		NULL,
	};
	struct got *g = run(lines);
	CHECK_STR(g->title, "关于加强基层治理的实施意见");
	EXPECT_SEC(g, "第一节", "健全组织体系", 2);
	EXPECT_SEC(g, "首先，", "要健全领导体制", 3);
	EXPECT_SEC(g, "其次，", "要完善村级组织", 3);
	EXPECT_SEC(g, "最后，", "要加强队伍建设", 3);
	EXPECT_SEC(g, "①", "建设便民服务中心", 3);
	EXPECT_SEC(g, "②", "推行一窗通办", 3);
	EXPECT_SEC(g, "③", "开展上门服务", 3);
	EXPECT_SEC(g, "（1）", "落实经费保障", 3);
	EXPECT_SEC(g, "（2）", "加强督促检查", 3);
	EXPECT_SEC(g, "1．", "按时报送材料", 3);
	EXPECT_SEC(g, "2．", "严格审核把关", 3);
	EXPECT_SEC(g, "第一，", "提高认识", 3);
	EXPECT_SEC(g, "第二，", "压实责任", 3);
	EXPECT_SEC(g, "一要", "统一思想", 3);
	EXPECT_SEC(g, "二要", "狠抓落实", 3);
	const struct got_section *first = find(g, "首先，", "要健全领导体制");
	const struct got_section *then = find(g, "其次，", "要完善村级组织");
	if (first && then) {
		CHECK(!first->in_paragraph);
		CHECK(then->in_paragraph);
		CHECK_INT(then->parent, first->parent);
		CHECK_INT(then->para, first->para);
	}
	const struct got_section *two = find(g, "②", "推行一窗通办");
	if (two)
		CHECK_INT(two->offset, 10);	/* after "①建设便民服务中心；" */
	CHECK_INT(g->nsec, 19);
	free(g);

	/* Guards: 其次 without a 首先 before it in its paragraph or list; ① ② as note
	 * marks after a quote or a word; a single numbered item after a full stop. */
	static const char *const guards[] = {
		"学习体会",
		"我们要认真学习。其次，要加强领导。最后，要抓好落实。",
		"其次，要注意方法。正文。",
		"他指出：“发展才是硬道理。”①这一论断十分重要。他还说：“要抓住机遇。”②我们要牢记。",
		"这一论述①，深刻阐明了发展的道理②，意义重大。",
		"工作有了进展。（2）这个数字不是列举。",
		"全年完成3项任务。1．5倍的增长来之不易。",
		NULL,
	};
	g = run(guards);
	CHECK_INT(g->nsec, 0);
	for (int i = 0; i < g->nsec && i < 256; i++)
		fprintf(stderr, "  unexpected heading: %s %s\n", g->sec[i].marker, g->sec[i].title);
	free(g);

	/* A list that is all its paragraph holds, announcing the headings that follow in
	 * another style, is a preview: 一、 … 三、 are not headings beside 第一个问题. */
	static const char *const preview[] = {
		"坚持党的路线",
		"我今天讲三点：一、讲这次会议；二、讲政治路线；三、讲工作方法。",
		"第一个问题，这次全会很重要。正文。",
		"第二个问题，关于政治路线。正文。",
		"第三个问题，注意工作方法。正文。",
		NULL,
	};
	g = run(preview);
	CHECK_INT(g->nsec, 3);
	CHECK(!has_section_in(g, "一、"));
	EXPECT_SEC(g, "第一个问题，", "这次全会很重要", 1);
	free(g);
}

/* Numbered items with long first sentences stay headings when their list does. */
static void test_long_items(void)
{
	static const char *const lines[] = {
		"工作要点",
		"（一）政务服务平台建设",
		"1．除涉密、法律法规禁止和必须人员、车辆现场核验的事项外，各级政务服务事项全部开通全程网办，实现全流程线上办理。（牵头单位）",
		"2．全面提升热线服务水平。（牵头单位）",
		"3．采取全市统一建设方式，市政府门户网站、各部门网站、各旗县区政府门户网站均集中迁移至本平台统一管理。（牵头单位）",
		"（五）一段很长的正文而不是标题，这里的第一句话非常长，长得像正文一样读起来就是正文，没有人会把它当成标题来看待的。后面还有正文。",
		NULL,
	};
	struct got *g = run(lines);
	EXPECT_SEC(g, "1．", "除涉密", 2);
	EXPECT_SEC(g, "2．", "全面提升热线服务水平", 2);
	EXPECT_SEC(g, "3．", "采取全市统一建设方式", 2);
	CHECK(!has_section_in(g, "（五）"));	/* long, and no list it continues */
	const struct got_section *s = find(g, "1．", "除涉密");
	if (s)
		CHECK(strlen(s->title) <= 60 * 3);
	free(g);
}

/* Hard-wrapped text: lines cut at one width are joined into paragraphs. */
static void test_hard_wrap(void)
{
	static const char *const lines[] = {
		"关于做好当前工作的通知",
		"",
		"　　为贯彻落实上级部署，进一步做好当前各项工作，现就有关",
		"事项通知如下，请各单位结合实际认真抓好贯彻落实，确保各项",
		"工作任务落到实处。",
		"　　一、提高思想认识",
		"　　各单位要充分认识做好当前工作的重要性和紧迫性，切实把",
		"思想和行动统一到上级决策部署上来，以高度的责任感和使命感",
		"抓好各项工作落实，确保取得实效，为全年目标任务打好基础。",
		"　　二、加强组织领导",
		"　　各单位主要负责同志要亲自抓、负总责，认真落实到位。一",
		"是明确责任分工，层层压实责任，形成一级抓一级、层层抓落实",
		"。二是健全工作机制，定期调度推进，及时研究解决问题，确保",
		"不留死角。三是强化督查考核，确保各项工作有人管、有人抓。",
		NULL,
	};
	struct got *g = run(lines);
	CHECK_STR(g->title, "关于做好当前工作的通知");
	CHECK_INT(g->npara, 6);
	CHECK_INT(g->nsec, 5);
	if (g->npara >= 2)
		CHECK(strstr(g->para[1].text, "落到实处。") != NULL);
	/* A list word cut over two lines, and one at the start of a line, run on. */
	EXPECT_SEC(g, "一是", "明确责任分工", 2);
	EXPECT_SEC(g, "二是", "健全工作机制", 2);
	EXPECT_SEC(g, "三是", "强化督查考核", 2);
	const struct got_section *s = find(g, "二是", "健全工作机制");
	if (s)
		CHECK(s->in_paragraph);
	free(g);
}

/* Paragraphs opening with a short phrase that was bold in print (加快国有企业改革。…) are
 * body text: plain text keeps no bold, and the genre's outlines number their headings
 * (an unnumbered line is ambiguous at best). A list inside one is a child of the
 * section that holds the paragraph. */
static void test_lead_sentences(void)
{
	static const char *const lines[] = {
		"关于做好今年重点工作的报告",
		"各位代表：",
		"现在，我代表市政府作工作报告，请予审议。",
		"一、今年重点工作",
		"今年要突出抓好以下几个方面的工作。",
		"（一）深化重点领域改革。改革是发展的动力，要以更大力度推进各项改革。",
		"加快国有企业改革。推动国有资本向重要行业和关键领域集中，完善现代企业制度，提高国有企业核心竞争力。",
		"优化营商环境。全面推行证明事项告知承诺制，压减审批时限，让企业办事更加便捷高效。一是推行网上办理。全部事项网上可办。二是压缩办理时限。平均时限压减一半。",
		"深化财税体制改革。完善预算管理制度，加强财政资源统筹，提高资金使用效益，防范化解财政风险。",
		"（二）扩大有效需求。消费和投资是拉动增长的主要力量，必须协同发力。",
		NULL,
	};
	struct got *g = run(lines);
	EXPECT_SEC(g, "（一）", "深化重点领域改革", 2);
	EXPECT_SEC(g, "一是", "推行网上办理", 3);
	EXPECT_SEC(g, "二是", "压缩办理时限", 3);
	EXPECT_SEC(g, "（二）", "扩大有效需求", 2);
	CHECK(!has_section_in(g, "加快国有企业改革"));
	CHECK(!has_section_in(g, "优化营商环境"));
	CHECK_INT(g->nsec, 5);
	free(g);
}

/* 其次, 再次 and 最后 go on from a 首先 that is missing or written 第一. */
static void test_seq_without_first(void)
{
	static const char *const missing[] = {
		"在全体会议上的讲话",
		"同志们：",
		"这次会议开得很好，我讲两个问题。",
		"第一个问题，关于今年的工作。",
		"今年的工作总体是好的，各项任务都完成了，成绩来之不易。",
		"第二个问题，关于明年的几项建设。",
		"产业建设已经有了规划，明年要按规划推进，大家都很清楚，这里不再多说。",
		"其次，讲讲队伍建设问题。干部队伍要年轻化、专业化，要把能干事的人用起来。",
		"培养干部要在实践中锻炼，不能只在办公室里坐着，要到基层一线去。",
		"再次，讲讲制度建设问题。制度要管用，要把各项工作纳入制度化的轨道。",
		NULL,
	};
	struct got *g = run(missing);
	EXPECT_SEC(g, "第二个问题，", "关于明年的几项建设", 1);
	EXPECT_SEC(g, "其次，", "讲讲队伍建设问题", 2);
	EXPECT_SEC(g, "再次，", "讲讲制度建设问题", 2);
	CHECK_INT(g->nsec, 4);
	free(g);

	static const char *const first[] = {
		"在全体会议上的讲话",
		"同志们：",
		"这次会议开得很好，下面我讲几点意见。",
		"一、提高认识",
		"第一，要看清形势。当前发展面临的形势复杂严峻，必须增强忧患意识。",
		"其次，要坚定信心。我们有基础、有条件、有能力完成今年的目标任务。",
		"最后，要狠抓落实。各级干部要以钉钉子精神抓好各项工作的落实。",
		NULL,
	};
	g = run(first);
	EXPECT_SEC(g, "第一，", "要看清形势", 2);
	EXPECT_SEC(g, "其次，", "要坚定信心", 2);
	EXPECT_SEC(g, "最后，", "要狠抓落实", 2);
	CHECK_INT(g->nsec, 4);
	free(g);

	/* Inside a paragraph too: 第一，… 其次，… 最后，… is one list. */
	static const char *const inside[] = {
		"在全体会议上的讲话",
		"同志们：",
		"这次会议开得很好，下面我讲几点意见。",
		"一、提高认识",
		"做好工作，要把握好三点。第一，要坚持人民至上。人民的安全高于一切。其次，要坚持源头治理。要把隐患消除在萌芽状态。最后，要坚持依法治理。要严格执法，严肃追责。",
		"二、压实责任",
		"各级要守土有责。第一，党政领导要负总责。第二，部门要负监管责任。第三，企业要负主体责任。最后，要严格考核。",
		NULL,
	};
	g = run(inside);
	EXPECT_SEC(g, "第一，", "要坚持人民至上", 2);
	EXPECT_SEC(g, "其次，", "要坚持源头治理", 2);
	EXPECT_SEC(g, "最后，", "要坚持依法治理", 2);
	EXPECT_SEC(g, "第三，", "企业要负主体责任", 2);
	EXPECT_SEC(g, "最后，", "要严格考核", 2);
	CHECK_INT(g->nsec, 9);
	free(g);

	/* A 其次 that opens a long argument with nothing before or after it is body text, and
	 * 再次 with no comma is a word (again). */
	static const char *const alone[] = {
		"在全体会议上的讲话",
		"一、提高认识",
		"我们要看到，当前发展面临的形势复杂严峻，必须增强忧患意识，做好应对各种风险的准备。",
		"其次，要看到我们工作中还存在许多问题，有的地方落实不力，有的部门推诿扯皮，群众意见很大。",
		"这些问题必须引起高度重视，认真加以解决。",
		"再次强调安全生产。安全生产责任重于泰山，任何时候都不能放松，必须常抓不懈。",
		NULL,
	};
	g = run(alone);
	CHECK(!has_section_in(g, "其次"));
	CHECK_INT(g->nsec, 1);
	free(g);
}

/* A notice's list of attachments (附件：1．… 2．…, or 附件：…) heads nothing; the
 * attachment itself (附件1) does. */
static void test_attachment_list(void)
{
	static const char *const lines[] = {
		"关于印发某某管理办法的通知",
		"各区县人民政府，市直各部门：",
		"现将《某某管理办法》和《某某考核细则》印发给你们，请认真贯彻执行。",
		"附件：1．某某管理办法",
		"2．某某考核细则",
		"某某市人民政府办公室",
		"2022年3月1日",
		"附件1",
		"某某管理办法",
		"一、总则",
		"为了规范管理，根据有关规定，制定本办法。",
		"二、职责分工",
		"各部门按照职责分工抓好落实。",
		NULL,
	};
	struct got *g = run(lines);
	CHECK(!has_section_in(g, "附件："));
	CHECK(!has_section_in(g, "考核细则"));
	EXPECT_SEC(g, "附件1", "", 1);
	EXPECT_SEC(g, "一、", "总则", 2);
	EXPECT_SEC(g, "二、", "职责分工", 2);
	CHECK_INT(g->nsec, 3);
	free(g);

	static const char *const single[] = {
		"关于印发某某管理办法的通知",
		"各区县人民政府，市直各部门：",
		"现将《某某管理办法》印发给你们，请认真贯彻执行。",
		"一、高度重视",
		"各单位要高度重视，认真组织实施。",
		"附件：某某管理办法",
		"某某市人民政府办公室",
		"2022年3月1日",
		NULL,
	};
	g = run(single);
	CHECK(!has_section_in(g, "附件"));
	EXPECT_SEC(g, "一、", "高度重视", 1);
	CHECK_INT(g->nsec, 1);
	free(g);
}

/* A heading line with no number that opens a new list numbered from 1 in a style
 * already in use under the top level is itself a top-level section. */
static void test_plain_top(void)
{
	static const char *const lines[] = {
		"在全市工作会议上的讲话",
		"同志们：",
		"今天召开会议，主要任务是总结工作、部署任务。",
		"一、去年工作回顾",
		"（一）经济平稳增长",
		"全年经济增长较快，各项指标好于预期。",
		"（二）民生持续改善",
		"城乡居民收入稳步增长，社会事业全面进步。",
		"二、今年主要任务",
		"（一）抓好项目建设",
		"项目是发展的支撑，要紧盯不放、狠抓落实。",
		"（二）优化营商环境",
		"要持续深化放管服改革，提高办事效率。",
		"关于加强党的建设",
		"加强党的建设，是做好各项工作的根本保证。",
		"（一）加强思想建设",
		"要坚持不懈用党的创新理论武装头脑。",
		"（二）加强作风建设",
		"要驰而不息纠治四风，持续改进工作作风。",
		NULL,
	};
	struct got *g = run(lines);
	EXPECT_SEC(g, "二、", "今年主要任务", 1);
	EXPECT_SEC(g, "（二）", "优化营商环境", 2);
	EXPECT_SEC(g, "", "关于加强党的建设", 1);
	EXPECT_SEC(g, "（一）", "加强思想建设", 2);
	EXPECT_SEC(g, "（二）", "加强作风建设", 2);
	CHECK_INT(g->nsec, 9);
	free(g);
}

/* A long document streams through: counts stay right, sections stay ordered. */
static void test_stream(void)
{
	struct got *g = xcalloc(1, sizeof *g);
	struct structure_sink sink = { g, on_title, on_section, on_para };
	struct structure *st = structure_new(&sink, "fallback");
	char line[256];
	const int n = 20000;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			if (i % 10 == 0)
				snprintf(line, sizeof line, "%d．第%d项工作", i / 10 % 500 + 1, i / 10 + 1);
			else
				snprintf(line, sizeof line, "这是第%d段正文，讲了一些内容。", i);
			if (pass == 0)
				structure_prescan_line(st, line, strlen(line));
			else
				CHECK(structure_line(st, line, strlen(line), false, i + 1) == 0);
		}
	CHECK(structure_finish(st) == 0);
	CHECK_INT(structure_paragraphs(st), n);
	CHECK_INT(structure_sections(st), n / 10);
	CHECK_INT(g->nsec, n / 10);
	CHECK_STR(g->title, "fallback");
	structure_free(st);
	free(g);
}

/* The text of line i of test_texts: sizes from one byte to past the 64 KB a block of
 * texts holds, each line ending a sentence (so the text is not taken for hard-wrapped). */
static size_t texts_line(char *buf, int i)
{
	static const size_t sizes[] = { 1, 7, 60, 300, 5000, 40000, 70000, 150000 };
	size_t len = sizes[i % 8 == 7 ? (i / 8) % 8 : i % 4], at = (size_t)snprintf(buf, 32, "p%d", i);
	for (; at < len; at++)
		buf[at] = (char)('a' + (i + (int)at) % 26);
	memcpy(buf + (at > 3 ? at - 3 : at), "。", 3);
	return at > 3 ? at : at + 3;
}

struct texts_seen {
	char *want;	/* scratch for the expected text */
	long next;	/* seq of the next paragraph */
	long bad;	/* paragraphs not as given */
};

static int texts_para(void *ctx, const struct para *p)
{
	struct texts_seen *t = ctx;
	size_t len = texts_line(t->want, (int)p->seq);
	t->bad += p->seq != t->next || p->len != len || memcmp(p->text, t->want, len) != 0 || p->text[len] != 0;
	t->next++;
	return 0;
}

/* Every paragraph comes out as it went in, short or long, whatever the blocks its text
 * was kept in. */
static void test_texts(void)
{
	struct texts_seen t = { .want = xmalloc(160000) };
	char *line = xmalloc(160000);
	struct structure_sink sink = { .ctx = &t, .paragraph = texts_para };
	struct structure *st = structure_new(&sink, "fallback");
	const int n = 400;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			size_t len = texts_line(line, i);
			if (pass == 0)
				structure_prescan_line(st, line, len);
			else
				CHECK(structure_line(st, line, len, false, i + 1) == 0);
		}
	CHECK(structure_finish(st) == 0);
	CHECK_INT(t.next, n);
	CHECK_INT(t.bad, 0);
	structure_free(st);
	free(line);
	free(t.want);
}

int main(void)
{
	test_marker_styles();
	test_in_paragraph();
	test_false_positives();
	test_title_block();
	test_plain_headings();
	test_plain_refused();
	test_note_marks();
	test_topic_words();
	test_notes();
	test_preview();
	test_inline_styles();
	test_long_items();
	test_hard_wrap();
	test_stream();
	test_texts();
	test_lead_sentences();
	test_seq_without_first();
	test_attachment_list();
	test_plain_top();
	return check_done();
}
