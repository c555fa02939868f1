package ui

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Languages the site speaks; Japanese first.
const (
	langJA = "ja"
	langEN = "en"
)

// lang picks the page language: ?lang= (remembered in a cookie), then the
// cookie, then Accept-Language, then Japanese.
func lang(c *gin.Context) string {
	if v, ok := c.Get("lang"); ok {
		return v.(string)
	}
	l := langJA
	if q := c.Query("lang"); q == langEN || q == langJA {
		l = q
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie("lang", l, 365*24*3600, "/", "", false, true)
	} else if ck, err := c.Cookie("lang"); err == nil && (ck == langEN || ck == langJA) {
		l = ck
	} else if acceptsEnglishFirst(c.GetHeader("Accept-Language")) {
		l = langEN
	}
	c.Set("lang", l)
	return l
}

// acceptsEnglishFirst reports whether English comes before Japanese in an
// Accept-Language header (ignoring q-values' finer points: browsers list
// languages in order of preference).
func acceptsEnglishFirst(h string) bool {
	for _, part := range strings.Split(h, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "ja"):
			return false
		case strings.HasPrefix(tag, "en"):
			return true
		}
	}
	return false
}

// T translates a message id into lang, formatting args into it.
func T(l, id string, args ...any) string {
	m, ok := messages[id]
	if !ok {
		return id
	}
	s := m[0]
	if l == langEN && m[1] != "" {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// messages maps an id to its Japanese and English text.
var messages = map[string][2]string{
	// menu
	"menu.home":                 {"トップページ", "Home"},
	"menu.about":                {"図書館の概要", "About"},
	"menu.guide":                {"利用案内", "Using the library"},
	"menu.news":                 {"お知らせ", "News"},
	"menu.reserve":              {"予約の方法", "How to reserve"},
	"menu.search":               {"蔵書検索", "Catalogue search"},
	"menu.new":                  {"新着資料", "New arrivals"},
	"menu.account":              {"利用照会", "My library"},
	"menu.rank_loans":           {"貸出ベスト", "Most borrowed"},
	"menu.rank_holds":           {"予約ベスト", "Most reserved"},
	"menu.calendar":             {"図書館カレンダー", "Calendar"},
	"menu.mobile":               {"携帯サイトの情報", "Mobile site"},
	"menu.branches":             {"各館のご案内", "Branches"},
	"menu.more":                 {"そのほかのご案内", "More"},
	"skip":                      {"本文へジャンプ", "Skip to content"},
	"lang.switch":               {"English", "日本語"},
	"menu.label":                {"メニュー", "Menu"},
	"footer.credit":             {"書誌データ：青空文庫（CC BY 4.0）、出典：国立国会図書館書誌データ", "Bibliographic data: Aozora Bunko (CC BY 4.0); source: National Diet Library bibliographic data"},
	"search.placeholder":        {"書名・著者名・ISBNなど", "Title, author, ISBN…"},
	"search.button":             {"検索", "Search"},
	"search.label":              {"キーワード", "Keywords"},
	"search.results":            {"「%s」の検索結果：%d件", "%[2]d results for “%[1]s”"},
	"search.results_nq":         {"検索結果：%d件", "%d results"},
	"search.none":               {"該当する資料は見つかりませんでした。", "Nothing was found."},
	"search.try":                {"こちらで検索してみてください：", "Try instead:"},
	"search.tips":               {"ひらがな・カタカナ・漢字のどれでも検索できます。言葉を減らす、別の言い方にする、著者名だけで探す、などもお試しください。", "Hiragana, katakana and kanji all work. Try fewer words, other words, or just the author’s name."},
	"search.facets_approximate": {"件数はおおよその数です。", "Counts are estimates."},
	"search.narrow":             {"絞り込み", "Refine"},
	"search.sort":               {"並び順", "Sort"},
	"sort.relevance":            {"関連度順", "Relevance"},
	"sort.newest":               {"出版年の新しい順", "Newest"},
	"sort.title":                {"書名の読み順", "Title (reading)"},
	"facet.ndc":                 {"分類（NDC）", "Subject (NDC)"},
	"facet.ndc3":                {"分類（詳細）", "Subject (detail)"},
	"facet.material_type":       {"資料の種類", "Material type"},
	"facet.branch":              {"所蔵館", "Library"},
	"facet.available":           {"貸出状況", "Availability"},
	"facet.year":                {"出版年", "Year"},
	"facet.clear":               {"絞り込みを解除", "Clear filters"},
	"facet.available.true":      {"貸出できる資料", "Available now"},
	"facet.available.false":     {"貸出中・準備中", "Not on the shelf"},
	"facet.decade":              {"%s年代", "%ss"},
	"avail.yes":                 {"貸出可", "Available"},
	"avail.no":                  {"貸出中", "On loan"},
	"avail.none":                {"所蔵なし", "No copies"},
	"avail.at":                  {"在架：%s", "On shelf at: %s"},
	"holds.waiting":             {"予約%d件", "%d holds"},
	"page.prev":                 {"前へ", "Previous"},
	"page.next":                 {"次へ", "Next"},
	"page.of":                   {"%d / %dページ", "Page %d of %d"},
	"rec.author":                {"著者", "Author"},
	"rec.publisher":             {"出版者", "Publisher"},
	"rec.year":                  {"出版年", "Year"},
	"rec.isbn":                  {"ISBN", "ISBN"},
	"rec.ndc":                   {"分類", "NDC"},
	"rec.series":                {"シリーズ", "Series"},
	"rec.subjects":              {"件名・注記", "Subjects"},
	"rec.description":           {"内容", "Description"},
	"rec.material_type":         {"資料の種類", "Material type"},
	"rec.language":              {"言語", "Language"},
	"rec.reading":               {"読み", "Reading"},
	"rec.reading_generated":     {"（自動付与）", "(generated)"},
	"rec.copies":                {"所蔵一覧", "Copies"},
	"rec.holds":                 {"この資料の予約：%d件", "Holds on this title: %d"},
	"rec.no_copies":             {"現在、所蔵している資料はありません。", "The library holds no copies at present."},
	"copy.branch":               {"所蔵館", "Library"},
	"copy.location":             {"場所", "Location"},
	"copy.call_number":          {"請求記号", "Call number"},
	"copy.barcode":              {"資料番号", "Barcode"},
	"copy.status":               {"状態", "Status"},
	"status.on_shelf":           {"在架", "On the shelf"},
	"status.on_loan":            {"貸出中（返却予定 %s）", "On loan (due %s)"},
	"status.on_loan_nodate":     {"貸出中", "On loan"},
	"status.in_transit":         {"回送中", "In transit"},
	"status.on_hold_shelf":      {"予約取置中", "On the hold shelf"},
	"status.missing":            {"調査中", "Missing"},
	"mt.book":                   {"図書", "Book"},
	"mt.magazine":               {"雑誌", "Magazine"},
	"mt.ebook":                  {"電子資料", "E-resource"},
	"mt.audio":                  {"録音資料", "Audio"},
	"mt.video":                  {"映像資料", "Video"},
	"mt.score":                  {"楽譜", "Score"},
	"mt.map":                    {"地図", "Map"},
	"mt.other":                  {"その他", "Other"},
	"home.today":                {"本日の開館状況", "Open today"},
	"home.open":                 {"開館 %s〜%s", "Open %s–%s"},
	"home.closed":               {"休館", "Closed"},
	"home.news":                 {"お知らせ", "News"},
	"home.all_news":             {"お知らせ一覧", "All news"},
	"home.new":                  {"新着資料", "New arrivals"},
	"home.all_new":              {"新着資料をもっと見る", "More new arrivals"},
	"new.title":                 {"新着資料（%d日以内）", "New arrivals (last %d days)"},
	"new.all":                   {"すべて", "All"},
	"new.acquired":              {"受入日", "Acquired"},
	"cal.title":                 {"%s %d年%d月", "%s, %[3]d/%[2]d"},
	"cal.prev":                  {"前の月", "Previous month"},
	"cal.next":                  {"次の月", "Next month"},
	"cal.legend":                {"色のついた日は休館日です。", "Shaded days are closed."},
	"cal.branch":                {"図書館", "Library"},
	"cal.show":                  {"表示", "Show"},
	"wd.0":                      {"日", "Sun"}, "wd.1": {"月", "Mon"}, "wd.2": {"火", "Tue"}, "wd.3": {"水", "Wed"},
	"wd.4": {"木", "Thu"}, "wd.5": {"金", "Fri"}, "wd.6": {"土", "Sat"},
	"branch.address":           {"住所", "Address"},
	"branch.phone":             {"電話", "Phone"},
	"branch.fax":               {"FAX", "Fax"},
	"branch.calendar":          {"カレンダー", "Calendar"},
	"rank.loans":               {"貸出ベスト", "Most borrowed"},
	"rank.holds":               {"予約ベスト（現在の予約件数）", "Most reserved (holds waiting now)"},
	"rank.month":               {"今月", "This month"},
	"rank.year":                {"今年", "This year"},
	"rank.all":                 {"すべての期間", "All time"},
	"rank.count":               {"%d回", "%d"},
	"rank.holds_count":         {"%d件", "%d"},
	"rank.empty":               {"まだデータがありません。", "No data yet."},
	"login.title":              {"利用照会 ログイン", "Log in to My library"},
	"login.card":               {"利用者番号", "Card number"},
	"login.card_help":          {"利用者カードの9桁の番号", "The 9 digits on your library card"},
	"login.password":           {"パスワード", "Password"},
	"login.button":             {"ログインする", "Log in"},
	"login.help":               {"パスワードをお持ちでない方、忘れた方は、利用者カードと本人確認できるものをお持ちのうえ、カウンターでお申し出ください。", "No password, or forgot it? Bring your card and ID to the counter."},
	"logout":                   {"ログアウト", "Log out"},
	"account.name":             {"お名前", "Name"},
	"account.email":            {"メールアドレス", "E-mail address"},
	"account.no_email":         {"登録されていません", "Not registered"},
	"account.email_change":     {"登録・変更", "Register or change"},
	"account.lists_soon":       {"貸出中・予約中の一覧は準備中です。", "Lists of loans and holds are coming soon."},
	"account.password_changed": {"パスワードを変更しました。", "Your password was changed."},
	"account.email_saved":      {"メールアドレスを登録しました。", "Your e-mail address was saved."},
	"password.title":           {"パスワードの変更", "Change password"},
	"password.must_change":     {"仮パスワードでログインしました。続けるには、新しいパスワードを設定してください。", "You logged in with a temporary password. Set a new password to go on."},
	"password.old":             {"旧パスワード", "Current password"},
	"password.new":             {"新パスワード", "New password"},
	"password.confirm":         {"新パスワード（再入力）", "New password again"},
	"password.rule":            {"半角の数字・英字（大文字・小文字）4〜8文字。記号は使えません。大文字と小文字は区別します。", "4 to 8 half-width digits and letters; no symbols. Case matters."},
	"password.button":          {"変更する", "Change"},
	"email.title":              {"メールアドレスの登録・変更", "E-mail address"},
	"email.why":                {"予約の資料が用意できたときの連絡に、メールを選べるようになります。", "With an address you can choose e-mail as the way we tell you a hold is ready."},
	"email.domain":             {"%s からのメールを受け取れるように設定してください。", "Please allow mail from %s."},
	"email.empty_removes":      {"空欄にして登録すると、メールアドレスを削除します。", "Leave it empty to remove your address."},
	"email.button":             {"登録する", "Save"},
	"staff.login":              {"職員ログイン", "Staff login"},
	"staff.username":           {"職員ID", "Username"},
	"staff.home":               {"職員メニュー", "Staff menu"},
	"staff.hello":              {"%s さん、お疲れさまです。", "Hello, %s."},
	"staff.more_soon":          {"貸出・返却、予約棚などの画面は準備中です。", "Counter, hold shelf and catalogue screens are coming."},
	"staff.patrons":            {"利用者検索", "Find a patron"},
	"staff.find":               {"利用者番号・氏名・ヨミ・電話番号", "Card, name, reading or phone"},
	"staff.none_found":         {"該当する利用者はいません。", "No patron found."},
	"staff.register":           {"利用者登録", "Register a patron"},
	"staff.register_button":    {"登録する", "Register"},
	"staff.registered":         {"利用者を登録しました", "Patron registered"},
	"staff.reissued":           {"仮パスワードを再発行しました", "Temporary password reissued"},
	"staff.active_at":          {"仮パスワードが使えるようになる時刻", "Temporary password usable from"},
	"staff.tell_patron":        {"仮パスワードは生年月日の月日4桁です。上の時刻から、利用照会でログインして本パスワードに変更するようお伝えください。", "The temporary password is the birthday as MMDD. Tell the patron to log in from the time above and set a password."},
	"staff.patron_page":        {"利用者の詳細へ", "Patron details"},
	"staff.login_state":        {"ログイン", "Login"},
	"staff.locked":             {"ロック中（連続して失敗しました）", "Locked after repeated failures"},
	"staff.temporary":          {"仮パスワード（%s から使用可）", "Temporary password (usable from %s)"},
	"staff.has_password":       {"本パスワード設定済み", "Password set"},
	"staff.no_password":        {"パスワード未発行", "No password issued"},
	"staff.failures":           {"連続失敗 %d回", "%d failures in a row"},
	"staff.unlock":             {"ロックを解除する", "Clear the lock"},
	"staff.unlocked":           {"ロックを解除しました。", "The lock was cleared."},
	"staff.reissue":            {"仮パスワードを再発行する", "Reissue temporary password"},
	"staff.never_password":     {"図書館はパスワードを見ることも管理することもありません。", "The library never sees or keeps passwords."},
	"field.name":               {"氏名", "Name"},
	"field.name_yomi":          {"ヨミ（カナ）", "Reading (kana)"},
	"field.birth_date":         {"生年月日", "Birth date"},
	"field.address":            {"住所", "Address"},
	"field.phone":              {"電話番号", "Phone"},
	"field.mobile":             {"携帯電話番号", "Mobile"},
	"field.email":              {"メールアドレス", "E-mail"},
	"field.home_branch":        {"よく使う図書館", "Usual library"},
	"field.required":           {"必須", "required"},
	"back":                     {"戻る", "Back"},
	"notfound.title":           {"ページが見つかりません", "Page not found"},
	"error.title":              {"エラー", "Error"},

	// API and page errors
	"err.not_found":                     {"お探しのページは見つかりませんでした。", "The page was not found."},
	"err.record_not_found":              {"指定された資料は見つかりませんでした。", "No record with that id."},
	"err.query_required":                {"検索する言葉か、絞り込みの条件を指定してください。", "Give words to search for, or a filter."},
	"err.invalid_parameter":             {"%sの値が正しくありません：%s", "Invalid value for %s: %s"},
	"err.bad_request":                   {"リクエストの形式が正しくありません。", "The request is malformed."},
	"err.unknown_branch":                {"指定された図書館はありません。", "No such library."},
	"err.internal":                      {"申し訳ありません。システムでエラーが発生しました。時間をおいてもう一度お試しください。", "Sorry, something went wrong on our side. Please try again later."},
	"err.method_not_allowed":            {"この操作はできません。", "That method is not allowed here."},
	"err.test_clock":                    {"時計の指定が正しくありません：%s", "Invalid clock request: %s"},
	"err.invalid_credentials":           {"利用者番号またはパスワードが違います。", "The card number or password is wrong."},
	"err.invalid_card":                  {"利用者番号は、利用者カードの9桁の数字で入力してください。", "Enter the 9 digits of your library card."},
	"err.temporary_password_not_active": {"仮パスワードは %s から使えます。しばらくしてからもう一度お試しください。", "Your temporary password can be used from %s. Please try again then."},
	"err.temporary_password_expired":    {"仮パスワードの有効期限（発行から14日）が過ぎました。カウンターで再発行を受けてください。", "Your temporary password has expired (14 days). Please ask at the counter for a new one."},
	"err.temporary_password_void":       {"仮パスワードを続けて間違えたため、使えなくなりました。カウンターで再発行を受けてください。", "Your temporary password was entered wrongly too often and no longer works. Please ask at the counter."},
	"err.too_many_attempts":             {"ログインの失敗が続いたため、しばらくお待ちください（約%d分）。", "Too many failed logins: please wait about %d minutes."},
	"err.account_locked":                {"ログインの失敗が続いたため、この利用者番号ではログインできなくなっています。利用者カードと本人確認できるものをお持ちのうえ、カウンターでお申し出ください。", "Login for this card is stopped after repeated failures. Please bring your card and ID to the counter."},
	"err.password_change_required":      {"仮パスワードでログインしています。先にパスワードを変更してください。", "You are logged in with a temporary password: change it first."},
	"err.wrong_password":                {"旧パスワードが違います。", "The current password is wrong."},
	"err.unauthorized":                  {"ログインが必要です。もう一度ログインしてください。", "Please log in (again)."},
	"err.forbidden":                     {"この操作をする権限がありません。", "You may not do that."},
	"err.invalid_email":                 {"メールアドレスの形式が正しくありません（半角英数字で、例：hanako@example.jp）。", "That is not a valid e-mail address (e.g. hanako@example.jp)."},
	"err.invalid_field":                 {"%sの入力が正しくありません。", "Please check: %s."},
	"err.patron_not_found":              {"その利用者番号の利用者はいません。", "No patron has that card number."},
	"err.password_too_short":            {"パスワードが短すぎます。4文字以上にしてください。", "The password is too short: use at least 4 characters."},
	"err.password_too_long":             {"パスワードが長すぎます。8文字以内にしてください。", "The password is too long: use at most 8 characters."},
	"err.password_symbol":               {"記号や空白は使えません。半角の数字と英字だけにしてください。", "Symbols and spaces are not allowed: use digits and letters only."},
	"err.password_non_ascii":            {"全角文字や半角英数字以外の文字は使えません。半角の数字と英字で入力してください。", "Full-width and other non-ASCII characters are not allowed: use half-width digits and letters."},
	"err.password_mismatch":             {"新パスワードと再入力が一致しません。", "The two new passwords differ."},
	"err.password_guessable":            {"生年月日の月日や利用者番号の一部は、推測されやすいので使えません。", "Your birthday (MMDD) or digits of your card number are too easy to guess."},
	"err.password_empty":                {"新パスワードを入力してください。", "Enter a new password."},
	"err.csrf":                          {"フォームの有効期限が切れたか、ほかのサイトから送信されました。ページを読み込み直してからもう一度お試しください。", "The form expired or came from another site. Reload the page and try again."},
	"err.already_on_loan":               {"この資料は現在借りているため、予約できません。", "You have this title on loan, so you cannot reserve it."},
	"err.already_reserved":              {"この資料はすでに予約しています。", "You have already reserved this title."},
	"err.hold_limit_reached":            {"予約できる件数の上限に達しています。", "You have reached the limit of holds."},
	"err.email_not_registered":          {"連絡方法にメールを選ぶには、先に利用照会でメールアドレスを登録してください。", "To be told by e-mail, first register an address in My library."},
	"err.invalid_contact":               {"連絡方法は、電話・携帯電話・メールから選んでください。", "Choose phone, mobile or e-mail as the contact method."},
	"err.hold_not_found":                {"その予約は見つかりませんでした。", "No such hold."},
	"err.hold_not_changeable":           {"準備ができた予約は変更できません（取消はできます）。", "A hold that is ready cannot be changed (it can be cancelled)."},
	"err.hold_not_ready":                {"この予約はまだ準備ができていません。", "This hold is not ready yet."},
	"err.loan_not_found":                {"その貸出は見つかりませんでした。", "No such loan."},
	"err.reserved_by_others":            {"他の利用者が予約しています。", "Another patron has reserved it."},
	"err.overdue":                       {"返却期限日が過ぎています。", "The due date has passed."},
	"err.already_renewed":               {"延長済みです。延長は1回までです。", "Already renewed: a loan can be renewed once."},
	"err.item_on_loan":                  {"この資料は貸出中です。", "This item is on loan."},
	"err.loan_limit_reached":            {"貸出上限です。", "Loan limit reached."},
	"err.held_for_another":              {"他の利用者の取置資料です。", "This item is held for another patron."},
	"err.item_not_found":                {"その資料番号の資料はありません。", "No item has that barcode."},
	"err.patron_blocked":                {"この利用者は現在貸出を停止しています。", "Loans to this patron are stopped."},
	"err.not_in_transit":                {"この資料は回送中ではありません。", "This item is not in transit."},
	"err.invalid_result":                {"連絡の結果は reached か unreachable で指定してください。", "Use reached or unreachable."},
	"err.duplicate_barcode":             {"その資料番号はすでに使われています。", "That barcode is already in use."},
	"err.too_large":                     {"送信されたデータが大きすぎます。", "The request is too large."},
	"param.q":                           {"キーワード", "keywords (q)"},
	"param.page":                        {"ページ番号", "page number (page)"},
	"param.per_page":                    {"表示件数", "results per page (per_page)"},
	"param.year_from":                   {"出版年（から）", "year from (year_from)"},
	"param.year_to":                     {"出版年（まで）", "year to (year_to)"},
	"param.sort":                        {"並び順", "sort order (sort)"},
	"param.ndc":                         {"分類", "NDC class (ndc)"},
	"param.material_type":               {"資料の種類", "material type (material_type)"},
	"param.available":                   {"貸出状況", "availability (available)"},
	"param.days":                        {"日数", "days"},
	"param.period":                      {"期間", "period"},
	"param.limit":                       {"件数", "limit"},
	"param.month":                       {"月", "month"},
	"why.page":                          {"1以上の整数を指定してください", "give a whole number from 1"},
	"why.page_too_far":                  {"検索結果は%d件目までしか表示できません。条件を絞り込んでください", "results can be shown only up to number %d; narrow the search"},
	"why.per_page":                      {"1から%dまでの整数を指定してください", "give a whole number from 1 to %d"},
	"why.year":                          {"西暦の年（4桁まで）を指定してください", "give a year (up to 4 digits)"},
	"why.sort":                          {"relevance, newest, title のどれかを指定してください", "use relevance, newest or title"},
	"why.ndc":                           {"NDCの分類番号（1〜3桁の数字）を指定してください", "give an NDC class (1 to 3 digits)"},
	"why.material_type":                 {"資料の種類が正しくありません", "unknown material type"},
	"why.bool":                          {"true か false を指定してください", "use true or false"},
	"why.days":                          {"1から%dまでの日数を指定してください", "give a number of days from 1 to %d"},
	"why.period":                        {"month, year, all のどれかを指定してください", "use month, year or all"},
	"why.limit":                         {"1から%dまでの整数を指定してください", "give a whole number from 1 to %d"},
	"why.month":                         {"YYYY-MM の形で指定してください", "use the form YYYY-MM"},
	"why.text":                          {"%d文字以内で指定してください", "use at most %d characters"},
	"why.id":                            {"資料IDは正の整数です", "a record id is a positive whole number"},
}
