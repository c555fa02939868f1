package web

// The staff client's own words (its shell, the desk, the counter's
// answers, printing, loan rules) and the copy statuses they brought to
// every page, kept apart from messages so the two lists stay readable;
// init merges them.
var staffMessages = map[string][2]string{
	"staff.client":                {"Hondana 職員", "Hondana staff"},
	"staff.reports":               {"職員メニュー・集計", "Staff menu and figures"},
	"desk.title":                  {"窓口の設定", "Desk settings"},
	"desk.library":                {"窓口の図書館", "Desk's library"},
	"desk.paper":                  {"プリンターの用紙", "Printer paper"},
	"desk.options":                {"この窓口で", "At this desk"},
	"desk.autoprint":              {"予約票・回送票・レシートを自動で印刷する", "Print hold slips, transit slips and receipts by themselves"},
	"desk.sound":                  {"スキャンの結果を音で知らせる", "Sound a cue with each answer"},
	"desk.save":                   {"保存する", "Save"},
	"desk.help":                   {"設定はこのブラウザー（窓口の端末）に保存され、どの職員がログインしても使われます。", "The settings are kept in this browser (the desk's terminal), whoever logs in."},
	"desk.print_help":             {"自動印刷では印刷の確認画面が出ます。確認なしで印刷するには、窓口のブラウザーを --kiosk-printing 付きで起動してください。", "Automatic printing shows the print dialog; start the desk's browser with --kiosk-printing to print without it."},
	"paper.58":                    {"58mm レシート", "58 mm receipt"},
	"paper.80":                    {"80mm レシート", "80 mm receipt"},
	"paper.a4":                    {"A4", "A4"},
	"keys.title":                  {"キーボード操作", "Keyboard"},
	"keys.focus":                  {"スキャン欄には、開いたとき・答えのあと・毎回カーソルが戻ります（JavaScriptなしでも）。スキャナーはキーボードと同じく番号とEnterを送ります。", "The cursor returns to the scan box when a page opens and after every answer, with or without JavaScript. A scanner types the number and Enter, like a keyboard."},
	"keys.f2":                     {"スキャン欄へ（どの画面からでも）", "To the scan box (from any page)"},
	"transit.to_library":          {"回送先", "To"},
	"transit.from_library":        {"送り元", "From"},
	"transit.reason":              {"理由", "Why"},
	"transit.for_hold":            {"予約 %d", "Hold %d"},
	"transit.home":                {"所蔵館へ戻す", "Going home"},
	"transit.from_unknown":        {"記録なし", "not recorded"},
	"shelf.lapsed_help":           {"受取期限が過ぎた・取り消された予約の資料です。棚から下ろして返却モードでスキャンすると、次の行き先へ回ります。", "Holds that lapsed or were cancelled: take these off the shelf and scan them at the return desk; the scan sends each where it goes next."},
	"shelf.next":                  {"スキャンすると", "The scan sends it"},
	"shelf.next_transit_hold":     {"回送: %sへ（予約番号 %d）", "Transit to %s (hold %d)"},
	"shelf.lapsing":               {"予約番号 %d: 期限切れ（まもなく取り消し）", "Hold %d: past its deadline (lapsing)"},
	"err.lapsed_hold_copy":        {"予約の取置期限が切れた資料です。先に返却モードでスキャンして、次の予約へ回すか書架に戻してください。", "This copy's hold lapsed: scan it at the return desk first, to hand it to the next hold or shelve it."},
	"err.copy_withdrawn":          {"除籍された資料です。貸出・返却できません。", "This copy was withdrawn from the catalogue."},
	"err.overdue_blocked":         {"返却期限日を%d日より長く過ぎた資料があるため、新しい貸出はできません。", "A loan is more than %d days overdue: no new loans until it is returned."},
	"err.reference_only":          {"%sは館内利用のみの資料です（貸出・予約できません）。", "%s: for use in the library only (not lent or reserved)."},
	"err.not_holdable":            {"%sは予約できない資料です。", "%s cannot be reserved."},
	"err.no_copy_to_lend":         {"この資料は貸出できる所蔵がないため、予約できません。", "No copy of this title can be lent, so it cannot be reserved."},
	"err.type_loan_limit_reached": {"%sの貸出上限（%d点）に達しています。", "The loan limit for %s (%d) is reached."},
	"err.type_hold_limit_reached": {"%sの予約上限（%d件）に達しています。", "The hold limit for %s (%d) is reached."},
	"err.not_renewable":           {"延長できない資料です。", "This material cannot be renewed."},
	"err.not_for_loan":            {"禁帯出の資料です（館内でご利用ください）。", "Not for loan (禁帯出): for use in the library."},
	"err.copy_in_repair":          {"修理中の資料です。", "This copy is being repaired."},
	"err.copy_lost":               {"紛失扱いの資料です。", "This copy is recorded as lost."},
	"err.copy_missing":            {"調査中（所在不明）の資料です。", "This copy is missing (being looked for)."},
	"err.invalid_rules":           {"貸出規則が正しくありません: %s", "The loan rules are not right: %s"},
	"status.repair":               {"修理中", "Being repaired"},
	"status.lost":                 {"紛失", "Lost"},
	"status.not_for_loan":         {"（禁帯出）", " (not for loan)"},
	"copy.state_saved":            {"資料の状態を変更しました。", "The copy's state was changed."},
	"copy.not_for_loan":           {"禁帯出", "Not for loan"},
	"copy.at":                     {"現在地", "Now at"},
	"copy.set_state":              {"状態を変更", "Change"},
	"field.status":                {"状態", "Status"},
	"field.category":              {"利用者区分", "Patron category"},
	"err.copy_state_locked":       {"貸出中・回送中・取置中の資料は状態を変えられません（禁帯出だけ変更できます）。", "A copy on loan, in transit or on a hold shelf keeps its status (only 禁帯出 can be changed)."},
	"note.not_renewable":          {"延長できない資料です", "This material cannot be renewed"},
}

func init() {
	for id, m := range staffMessages {
		if _, dup := messages[id]; dup {
			panic("web: message " + id + " defined twice")
		}
		messages[id] = m
	}
}
