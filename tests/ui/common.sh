# Shared by the screen tests: sourced after tests/lib.sh. Writes a document made for
# these tests (text written for the project) and imports it.
doc="$TMP/读书体会.txt"
cat >"$doc" <<'TEXT'
关于读好长文章的几点体会
（2026年1月5日）
仅供学习 禁止外传
同志们：
今天和大家交流读长文章的体会，主要讲三个问题。长文章篇幅大、层次多，读的时候容易只记住开头和结尾，中间的内容反而模糊了。所以读之前要先看结构，读的时候要抓要点，读完之后要回头梳理。
一、为什么要认真读长文章
长文章往往是一个阶段工作的总结和下一阶段工作的安排，信息量大，分量也重。一篇讲话稿动辄上万字，如果只看标题，很容易断章取义；如果逐字逐句地读，又容易迷失在细节里。
（一）长文章承载着完整的思路
一篇好的长文章，从提出问题到分析问题再到解决问题，环环相扣。读者只有把前后文联系起来，才能真正理解作者的意图。比如讲到“三个坚持”时，后文往往会逐条展开，每一条又分成若干具体举措。
（二）长文章需要反复阅读
第一遍读大意，第二遍读结构，第三遍读细节。每读一遍都会有新的收获。对于其中反复出现的提法，要特别留意，它们往往就是全文的关键词。
二、怎样读好长文章
读长文章要讲方法。方法对了，事半功倍；方法不对，事倍功半。
（一）先看目录和小标题
目录和小标题就像地图，告诉我们文章分几个部分、每部分讲什么。先把地图看清楚，再进入具体的段落，就不容易迷路。
（二）抓住关键词和数字
长文章中常有“两个维护”“四个意识”这样的提法，也有大量的数字和百分比。把这些关键词和数字标出来，文章的骨架就清楚了。读到2025年的目标时，可以和2020年的数字对照着看。
（三）边读边做标记
遇到重要的段落，做一个记号，读完之后再回来看。标记要少而精，不要把整篇文章都画满了线，那样等于没有标记。
三、读完之后怎样运用
读是为了用。读完一篇长文章，要能说出它讲了哪几个问题、每个问题的要点是什么、和自己的工作有什么关系。
一是联系实际。把文章中的要求和本单位的情况对照起来，找出差距，明确方向。二是形成清单。把需要落实的事项列成清单，逐项推进。三是定期回看。过一段时间再读一遍，检查落实的情况。
同志们，读好长文章是一项基本功，希望大家在工作中多读、多想、多用。
TEXT

ui_import() {
	"$DUGAO" import "$doc" >"$TMP/import.out" 2>"$TMP/import.err" || {
		echo "FAIL: import: $(cat "$TMP/import.err")"
		exit 1
	}
	cp "$DUGAO_DB" "$TMP/pristine.db"
}

# screen NAME SIZE KEYS [--attrs]: runs the reader in scripted mode and compares the
# whole screen (with --attrs, every cell's attributes too; NO_COLOR, so highlights are
# bold/reverse/underline) with tests/ui/expected/NAME.txt (UPDATE_EXPECTED=1 rewrites it).
screen() {
	name=$1 size=$2 keys=$3
	shift 3
	cp "$TMP/pristine.db" "$DUGAO_DB"	# every screen starts unread
	NO_COLOR=1 "$DUGAO" read 1 --size "$size" --script "$keys" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.err"
	st=$?
	[ "$st" -eq 0 ] || { fail "$name: exit status $st: $(cat "$TMP/$name.err")"; return; }
	want="$top_srcdir/tests/ui/expected/$name.txt"
	if [ "${UPDATE_EXPECTED:-}" = 1 ]; then
		cp "$TMP/$name.txt" "$want"
		echo "updated: $name"
	elif diff -u "$want" "$TMP/$name.txt" >"$TMP/$name.diff"; then
		echo "ok: screen $name"
	else
		fail "screen $name differs:"
		cat "$TMP/$name.diff"
	fi
}
