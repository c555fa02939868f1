package web

import (
	"net/http"

	"hondana/library"
)

// patronMessages are the words of the patron features beyond the seed
// (issue 18 items 10–14): estimated waits, hold options, series-order
// holds, the reading history, favourites and the card on the phone.
var patronMessages = map[string][2]string{
	"wait.within_week":                 {"目安：1週間以内", "Estimate: within a week"},
	"wait.weeks":                       {"目安：約%d週間", "Estimate: about %d weeks"},
	"wait.range":                       {"目安：約%d〜%d週間", "Estimate: about %d–%d weeks"},
	"wait.faster":                      {"%sで受け取るとより早い見込み", "Likely sooner if collected at %s"},
	"wait.title":                       {"用意できるまでの目安", "Estimated wait"},
	"wait.help":                        {"目安は、これまでの貸出期間（だれが借りたかは含まない匿名の記録）と所蔵冊数、予約の順番から計算したものです。お約束ではありません。", "Estimated from past loan lengths (anonymous: nobody's reading is kept), the number of copies and your place in the queue. Not a promise."},
	"wait.if_reserved":                 {"いま予約すると", "If you reserve now:"},
	"hold.suspended_note":              {"休止中（順番は保たれます）", "Suspended (you keep your place)"},
	"hold.behind_note":                 {"前の巻の貸出後に用意します", "Ready after the previous volume is lent to you"},
	"hold.not_after_note":              {"%s以降は不要", "Not needed after %s"},
	"hold.options":                     {"予約の設定（任意）", "Hold options (optional)"},
	"hold.not_after":                   {"この日以降は不要", "Not needed after"},
	"hold.not_after_help":              {"この日を過ぎても用意できなかったときは、連絡なしに予約を取り消します。", "If the item is not ready by then, the hold is cancelled without notice."},
	"hold.suspend":                     {"休止する", "Suspend"},
	"hold.suspend_help":                {"休止中も予約の順番は保たれ、その間に返ってきた資料は次の人へまわります。再開は予約の変更から。", "A suspended hold keeps its place; copies go to the next person meanwhile. Resume it from 'Change'."},
	"series.title":                     {"シリーズ：%s", "Series: %s"},
	"series.help":                      {"巻数順予約：チェックした巻をまとめて予約し、前の巻をお借りになってから次の巻を用意します（前の巻を取り消すと、次の巻にすすみます）。", "Reserve in volume order: the ticked volumes are reserved together, and each is made ready only after you have borrowed the one before (cancelling a volume skips it)."},
	"series.no_volume":                 {"（巻次なし）", "(no volume number)"},
	"series.open":                      {"詳細", "Details"},
	"series.reserve":                   {"巻数順に予約する", "Reserve in volume order"},
	"series.reserve_title":             {"巻数順予約の確認", "Confirm the volume-order hold"},
	"series.reserve_help":              {"次の巻を、この順番で予約します。", "These volumes will be reserved, in this order."},
	"series.back":                      {"シリーズの一覧へ戻る", "Back to the series"},
	"series.done_title":                {"巻数順予約を受け付けました", "Volume-order hold accepted"},
	"series.done_some":                 {"一部の巻だけ予約しました", "Some volumes were reserved"},
	"series.done_none":                 {"予約できませんでした", "Nothing was reserved"},
	"series.done_help":                 {"利用照会の「巻数順予約」で、まとめて確認・取消ができます。", "See or cancel them together under 'Volume-order holds' in My library."},
	"series.holds_title":               {"巻数順予約", "Volume-order holds"},
	"series.skip":                      {"この巻を取消", "Cancel this volume"},
	"series.cancel_group":              {"まとめて取消", "Cancel them all"},
	"series.cancel_question":           {"これらの予約をすべて取り消しますか。", "Cancel all these holds?"},
	"series.cancelled":                 {"「%s」ほか、%d件の予約を取り消しました。", "Cancelled %[2]d holds (%[1]s and the others)."},
	"series.link":                      {"「%s」の巻をまとめて予約する", "Reserve the volumes of %s in order"},
	"card.title":                       {"利用カード", "Library card"},
	"card.name":                        {"お名前", "Name"},
	"card.help":                        {"カウンターでこの画面を見せると、カードの代わりに読み取れます（%s）。画面を明るくしてください。", "Show this screen at the counter instead of your card (%s). Turn the screen brightness up."},
	"card.barcode_label":               {"利用カードのバーコード %s", "Library card barcode %s"},
	"card.sym_codabar":                 {"NW-7", "Codabar"},
	"card.sym_code39":                  {"Code 39", "Code 39"},
	"fav.title":                        {"お気に入り", "Favourites"},
	"fav.add":                          {"お気に入りに追加", "Add to favourites"},
	"fav.remove":                       {"お気に入りから外す", "Remove from favourites"},
	"fav.login":                        {"ログインするとお気に入りに追加できます", "Log in to add this to your favourites"},
	"fav.help":                         {"お気に入りは、あなただけが見られます。", "Only you can see your favourites."},
	"fav.none":                         {"お気に入りはありません。資料の詳細ページから追加できます。", "No favourites yet. Add them from a title's page."},
	"history.title":                    {"読書通帳", "Reading history"},
	"history.about":                    {"記録を始めると、それ以降に返却した資料を、あなただけの記録として残します。図書館職員の画面には表示しません。記録をやめると、すべて削除します。", "Once you turn it on, the items you return from then on are kept for you alone. Staff screens never show it. Turning it off deletes it all."},
	"history.privacy_link":             {"図書館のプライバシーについて", "About your privacy"},
	"history.is_on":                    {"記録中です。", "Your reading history is on."},
	"history.is_off":                   {"記録していません。", "Your reading history is off."},
	"history.turn_on":                  {"記録を始める", "Turn it on"},
	"history.download":                 {"CSVでダウンロード", "Download as CSV"},
	"history.delete":                   {"削除", "Delete"},
	"history.delete_one":               {"「%s」の記録を削除", "Delete the entry for %s"},
	"history.empty":                    {"まだ記録はありません。次に返却した資料から記録します。", "Nothing yet: the next item you return will be recorded."},
	"history.returned":                 {"返却日", "Returned"},
	"history.loaned":                   {"貸出日", "Borrowed"},
	"history.back":                     {"読書通帳へ戻る", "Back to the reading history"},
	"history.off_title":                {"記録をやめる", "Turn it off"},
	"history.off_question":             {"記録をやめると、これまでの記録はすべて削除され、元に戻せません。", "Turning it off deletes the whole history; it cannot be undone."},
	"history.off_button":               {"記録をやめて削除する", "Turn off and delete"},
	"history.clear_title":              {"すべて削除", "Delete everything"},
	"history.clear_question":           {"記録をすべて削除します（記録は続けます）。元に戻せません。", "Delete every entry (recording goes on). This cannot be undone."},
	"history.clear_button":             {"すべて削除する", "Delete everything"},
	"history.done_on":                  {"読書通帳の記録を始めました。", "Your reading history is on."},
	"history.done_off":                 {"記録をやめ、すべて削除しました。", "Turned off; everything was deleted."},
	"history.done_cleared":             {"記録をすべて削除しました。", "Every entry was deleted."},
	"history.done_deleted":             {"記録を1件削除しました。", "The entry was deleted."},
	"err.kiosk_download":               {"共用の端末ではダウンロードできません（ファイルが次の人に残るため）。ご自分の端末でどうぞ。", "No downloads on a shared terminal (the file would stay for the next person). Use your own device."},
	"err." + library.InvalidNotAfter:   {"「この日以降は不要」には、今日から1年以内の日付を入れてください。", "'Not needed after' must be a date from today to a year ahead."},
	"err." + library.NoVolumes:         {"予約する巻を選んでください。", "Choose at least one volume."},
	"err." + library.ReadingNotFound:   {"その記録はありません。", "No such entry."},
	"err." + library.FavouriteNotFound: {"その資料はお気に入りにありません。", "That title is not among your favourites."},
}

func init() {
	for id, m := range patronMessages {
		if _, dup := messages[id]; dup {
			panic("web: message " + id + " defined twice")
		}
		messages[id] = m
	}
	for code, status := range map[string]int{
		library.InvalidNotAfter:   http.StatusUnprocessableEntity,
		library.NoVolumes:         http.StatusUnprocessableEntity,
		library.ReadingNotFound:   http.StatusNotFound,
		library.FavouriteNotFound: http.StatusNotFound,
	} {
		if _, dup := refusalStatus[code]; dup {
			panic("web: refusal " + code + " mapped twice")
		}
		refusalStatus[code] = struct {
			status int
			code   string
		}{status, ""}
	}
}
