#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/clean.h"

/* Runs both passes over the lines of a document (written for this test) and returns
 * one character per line: N for noise, . for text. */
static char *marks(const char *const *lines)
{
	struct clean *c = clean_new();
	size_t n = 0;
	while (lines[n])
		n++;
	for (size_t i = 0; i < n; i++)
		clean_prescan_line(c, lines[i], strlen(lines[i]));
	char *out = calloc(n + 1, 1);
	for (size_t i = 0; i < n; i++)
		out[i] = clean_is_noise(c, lines[i], strlen(lines[i])) ? 'N' : '.';
	clean_free(c);
	return out;
}

static void test_advert_blocks(void)
{
	const char *doc[] = {
		"仅供学习交流 请勿外传",		/* N watermark */
		"文山笔苑",				/* N brand line inside the block */
		"每日更新、用心整理",			/* N */
		"扫码添加微信：wsby2026",		/* N */
		"",
		"在全市安全生产工作会议上的讲话",	/* title */
		"",
		"同志们：",
		"今天的会议很重要，我讲几点意见。",
		"一、提高认识",
		"要通过微信、短信等多种方式，及时把预警信息发给群众。",	/* mentions 微信 in a sentence */
		"（三）用好微信公众号等新媒体平台",	/* a heading that mentions 公众号 */
		"关注群众关切",				/* short text line, not in an advert block */
		"谢谢大家！",
		"",
		"更多范文请关注公众号：文山笔苑",	/* N */
		"文山笔苑",				/* N: between two advert lines */
		"文山笔苑整理，咨询QQ：2233445566",	/* N */
		NULL,
	};
	char *got = marks(doc);
	CHECK_STR(got, "NNNN...........NNN");
	free(got);
}

static void test_title_next_to_advert(void)
{
	/* an advert directly above the title, then a blank line: the title stays */
	const char *doc[] = {
		"【会员资料仅供内部交流使用，严禁外传】",
		"学习贯彻全会精神研讨发言材料",
		"",
		"某某整理，咨询QQ：123456789",
		"同志们：",
		"正文第一段。",
		NULL,
	};
	char *got = marks(doc);
	CHECK_STR(got, "N..N..");
	free(got);
}

static void test_web_chrome(void)
{
	const char *doc[] = {
		"下载", "打印", "全屏", "收藏", "【字号：", "加大", "还原", "减小", "】",
		"2026年某省政府工作报告",
		"来源：某某日报",
		"各位代表：",
		"现在，我代表省人民政府向大会作政府工作报告，请予审议。",
		"相关报道：",
		NULL,
	};
	char *got = marks(doc);
	CHECK_STR(got, "NNNNNNNNN....N");
	free(got);

	const char *cite[] = {
		"    【法宝引证码】 CLI.12.000000",
		"原文链接：https://example.org/law/1.html",
		"某市人民政府办公室关于印发某办法的通知",
		"某市人民政府办公室关于印发某办法的通知",	/* twice is not a banner */
		"各区人民政府：",
		"详见附件，网址为https://example.org/a。",	/* a sentence with a link */
		NULL,
	};
	got = marks(cite);
	CHECK_STR(got, "NN....");
	free(got);
}

static void test_repeats(void)
{
	const char *doc[] = {
		"工作报告",
		"本文由某某网站提供",
		"第一段正文，写得很长。",
		"本文由某某网站提供",
		"第二段正文。",
		"本文由某某网站提供",
		"（一）重复的标题",
		"（一）重复的标题",
		"（一）重复的标题",
		NULL,
	};
	char *got = marks(doc);
	/* a short line seen three times is a banner; headings are never counted */
	CHECK_STR(got, ".N.N.N...");
	free(got);
}

static void test_offers(void)
{
	const char *doc[] = {
		"现在订阅立享全部权益和资料",		/* N */
		"关于加强工会会员管理的通知",		/* a title with 会员 */
		"举报倒卖资料者，奖励一年会员！",	/* N */
		"同志们：",
		"要加强会员服务，提高会员满意度。",
		NULL,
	};
	char *got = marks(doc);
	CHECK_STR(got, "N.N..");
	free(got);
}

/* Memory stays bounded and nothing breaks with many distinct lines. */
static void test_many_lines(void)
{
	struct clean *c = clean_new();
	char line[64];
	long noise = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 200000; i++) {
			int n = snprintf(line, sizeof line, "第%d行文字", i);
			if (pass == 0)
				clean_prescan_line(c, line, (size_t)n);
			else
				noise += clean_is_noise(c, line, (size_t)n);
		}
	CHECK_INT(noise, 0);
	clean_free(c);
	/* without a prescan the line's own content still decides */
	c = clean_new();
	CHECK(clean_is_noise(c, "仅供学习 禁止外传", strlen("仅供学习 禁止外传")));
	CHECK(!clean_is_noise(c, "同志们：", strlen("同志们：")));
	clean_free(c);
}

/* A document longer than the lines the prescan classifies itself: noise by content in
 * the middle, a banner repeated throughout, and an advert block in the last lines whose
 * brand line is noise only between its neighbours; the same marks as in a short one. */
static void test_long_document(void)
{
	const int n = 40000;
	char **doc = calloc((size_t)n + 1, sizeof *doc);
	char *want = calloc((size_t)n + 1, 1);
	for (int i = 0; i < n; i++) {
		char line[128];
		want[i] = '.';
		if (i % 1000 == 999) {
			snprintf(line, sizeof line, "仅供学习交流 请勿外传");
			want[i] = 'N';
		} else if (i % 7000 == 3500) {
			snprintf(line, sizeof line, "本文由某某网站提供");
			want[i] = 'N';
		} else if (i == n - 5) {
			snprintf(line, sizeof line, "文山笔苑");	/* weak, but no advert around it */
		} else if (i == n - 3) {
			snprintf(line, sizeof line, "更多范文请关注公众号：文山笔苑");
			want[i] = 'N';
		} else if (i == n - 2) {
			snprintf(line, sizeof line, "文山笔苑");
			want[i] = 'N';
		} else if (i == n - 1) {
			snprintf(line, sizeof line, "文山笔苑整理，咨询QQ：2233445566");
			want[i] = 'N';
		} else {
			snprintf(line, sizeof line, "第%d段正文，讲了一些内容。", i);
		}
		doc[i] = strdup(line);
	}
	char *got = marks((const char *const *)doc);
	CHECK_STR(got, want);
	for (int i = 0; i < n; i++)
		free(doc[i]);
	free(doc);
	free(got);
	free(want);
}

int main(void)
{
	test_advert_blocks();
	test_title_next_to_advert();
	test_web_chrome();
	test_repeats();
	test_offers();
	test_many_lines();
	test_long_document();
	return check_done();
}
