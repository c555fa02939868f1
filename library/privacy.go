package library

import "hondana/store"

// PrivacyPage is the content page that says what the library keeps of
// its patrons' reading (R40) and how the reading history and favourites
// differ: served at /pages/privacy until staff write their own.
func PrivacyPage() store.Page {
	return store.Page{Slug: "privacy", Title: "利用者のプライバシー", TitleEn: "Your privacy", Body: `図書館は、だれが何を読んだかを記録に残しません（日本図書館協会「図書館の自由に関する宣言」）。

## 貸出の記録

貸出中の資料とあなたのつながりは、返却されたときに消えます。残るのは、資料ごと・日ごとの貸出冊数と、資料ごとの「何日借りられていたか」の件数だけで、だれが借りたかは含みません。人気ランキングや予約の「目安」の待ち時間は、この匿名の数字から計算しています。

## 読書通帳（読書記録）

「利用照会」の「読書通帳」で、ご自身で記録を始めたときだけ、それ以降に返却した資料の書名・著者・貸出日・返却日を、あなた専用の記録として残します。

- はじめは記録しない設定です。
- 記録は貸出の記録とは別に保管し、図書館職員の画面には表示しません。
- いつでも一覧で見る、CSVファイルでダウンロードする、1件ずつまたはすべて削除することができます。
- 記録をやめると、それまでの記録はすべて削除されます。

## お気に入り

「お気に入り」に加えた資料の一覧は、あなただけが見られます。職員の画面には表示しません。

## 予約

予約は、受け取りまたは取消のときに消えます。受け取りの連絡に使ったメールも、あわせて削除します。`}
}
