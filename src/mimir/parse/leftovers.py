"""What the extraction leaves at the start and the end of an article that is no part of it.

trafilatura keeps the main text's blocks, and with them, at the end, what stood there for
something it took out: a share bar's heading ("Teilen auf"), the label of a links box whose
links are gone ("Weiterführende Links:", "Verwandte Themen auf unserem Blog:"), an empty table,
an advertisement's label ("Sponsored Ads"), a comments counter ("Kommentare ()"), a blog's
category list with post counts. Real pages (trafilatura's, newspaper4k's and python-goose's
test pages) end that way; ``trim_tail`` drops such blocks from the end of trafilatura's body,
last first, before the text and the reading HTML are made from it, so both lose them.
``trim_head`` does the same at the start for what stands above an article: a skip link ("Main
Content"), a breadcrumb trail, "Please activate JavaScript", a cookie banner, a tag list.

Only the ends are trimmed and only blocks that carry no sentence of the article: at the end a
heading with nothing after it, a short label ending in a colon, a block with no text, an
interface phrase, an image's credit, a list of categories with counts, a box of links under a
"More Must-Reads" or "Lesen Sie auch:" heading, a last-line teaser ("READ MORE: ..."), a result
counter, a menu's one-word entries, a copyright notice, the rules of a comment form whose
comments are gone ("ultimahora.es se reserva el derecho de eliminar cualquier comentario
inapropiado", CNN Arabic's), a notice that the rest is for subscribers ("この記事は会員限定です",
"Il vous reste 78% de cet article à lire"), how to cite the page ("Citation: ... retrieved ...
from https://phys.org/..."), the site's profiles elsewhere ("Twitter: @site"), a rail of
teasers for other articles with their comment counters; at the start what the patterns below
name, and a byline or a date alone on its line ("Von Gregory Lipinski", "January 22, 2014"),
also right under the headline, a picture's caption ending in its credit ("... Bild: dpa"), a
kicker or a blog's name right above the headline, a wire's name above the dateline that
credits it ("CNN" above "WASHINGTON (CNN) —"). Inside the text ``drop_inline_teasers`` drops a
line that only links another article ("Read more: ..."). A sign-off ("Herzlichst, Martina"), a
closing remark, a short lead ("ARD / ZDF / RTL: ...") or news about cookies stays, and so does
an editors' list of picks: it may be the article.
A byline taken from the top names the author where the page's metadata names none
(``leading_byline``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mimir.parse.dates import is_dateline

#: interface phrases a block may consist of, whole (case folded, ends' punctuation dropped)
_PHRASES = re.compile(
    r"(?:share(?:\s+(?:this|on|via))?(?:\s+(?:article|story|post|page))?|teilen(?:\s+(?:auf|mit|via))?"
    r"|diesen\s+artikel\s+teilen|artikel\s+teilen|partager(?:\s+sur)?|condividi|compartir"
    r"|(?:この(?:ニュース|記事)を)?シェア(?:する)?|分享(?:到)?|공유(?:하기)?"
    r"|back\s+to\s+top|nach\s+oben|zurück\s+nach\s+oben|haut\s+de\s+page|top"
    r"|advertisement|sponsored(?:\s+(?:ads|links|content|stories))?|anzeige|werbung|publicité"
    r"|print(?:\s+this)?|drucken|e-?mail|tweet|loading(?:\s+\w+){0,3}|lädt|wird\s+geladen"
    r"|download|herunterladen|t\u00e9l\u00e9charger|descargar|scarica"
    r"|read\s+more|weiterlesen|mehr(?:\s+zum\s+thema)?|related(?:\s+(?:articles|stories|posts))?"
    r"|get\s+connected|follow\s+us|folgen\s+sie\s+uns|abonnieren|subscribe"
    r"|(?:(?:from\s+)?around|from)\s+the\s+web|(?:ailleurs\s+)?sur\s+le\s+web|aus\s+dem\s+netz"
    r"|promoted\s+(?:stories|content|links)|recommended\s+by(?:\s+(?:outbrain|taboola))?"
    r"|see\s+also|siehe\s+auch|weblinks|external\s+links|further\s+reading|voir\s+aussi"
    r"|(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?|commenti|reacties)"
    r"(?:\s*\(\d*\)|(?:\s+insgesamt|\s+total)?\s*:\s*\d+)?)",
    re.I,
)
#: a label for something that is gone: a few words ending in a colon
_LABEL = re.compile(r"^[^.!?:]{2,80}:$")
#: an image's credit left where the image was taken out: "Photo Credit: Catwalkpictures",
#: "Bild: S-F / Shutterstock.com", "AP Photo/Uncredited", "Foto: dpa", "© Reuters"
_CREDIT = re.compile(
    r"(?:(?:photo|foto|bild|image|picture|titel|beitrags|header|aufmacher)(?:bild|foto)?s?"
    r"(?:\s*(?:credits?|quelle|source|nachweis))?\s*:|bildquelle\s*:|cr[e\u00e9]dits?\s*(?:photo)?\s*:"
    r"|(?:AP|AFP|EPA|dpa|Reuters|Getty\s+Images)\s+(?:Photo|Foto)\b|\u00a9)",
    re.I,
)
#: an item of a category or archive list: "Konzerte (7)"
_COUNTED = re.compile(r"^.{1,60}\s\(\d+\)$")
_ENDS = " \t\n\r|-\u2013\u2014\u00b7\u2022\u00bb\u00ab\u203a>:.,;!?()[]"  # dashes, bullets, quotes

#: blocks shorter than this (characters) may be leftovers; longer ones are prose
_SHORT = 80

#: what heads a box of links to other articles: "More Must-Reads From TIME", "Lesen Sie auch:",
#: an advertisement's label. Not "Recommendations": an editors' list of picks may be the article
_RELATED = re.compile(
    r"\b(?:related|must[-\s]reads?|more\s+(?:from|stories|news|articles|on\s+this)"
    r"|(?:also|further)\s+read|read\s+(?:more|also|next)|you\s+(?:may|might)\s+also"
    r"|most\s+(?:read|popular)|popular\s+(?:posts|stories)|trending|top\s+stories|see\s+also"
    r"|lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|weitere\s+(?:artikel|beitr)"
    r"|meistgelesen|siehe\s+auch|werbung|anzeige|advertisement|sponsored"
    r"|(?:auch|ebenfalls)\s+interessant"
    r"|(?:das\s+)?k\u00f6nnte\s+(?:sie|dich)\s+(?:auch\s+)?interessieren"
    r"|vous\s+aimerez\s+aussi|(?:\u00e0|a)\s+voir\s+aussi"
    r"|(?:tambi\u00e9n\s+)?te\s+puede\s+interesar|potrebbe\s+interessarti"
    r"|(?:\u00e0|a)\s+lire\s+(?:aussi|\u00e9galement)|sur\s+le\s+m\u00eame\s+sujet"
    r"|leggi\s+anche|lee\s+tambi\u00e9n|noticias\s+relacionadas|art\u00edculos\s+relacionados"
    r"|(?:not\u00edcias|mat\u00e9rias)\s+relacionadas|leia\s+tamb\u00e9m|veja\s+tamb\u00e9m"
    r"|articoli\s+correlati|lees\s+ook|gerelateerde\s+artikelen"
    r"|czytaj\s+(?:tak\u017ce|te\u017c|r\u00f3wnie\u017c)|zobacz\s+(?:te\u017c|tak\u017ce)"
    r"|baca\s+juga|berita\s+terkait|tin\s+li\u00ean\s+quan|ilgili\s+haberler|benzer\s+haberler"
    r"|читайте\s+(?:также|також)|по\s+теме|похожие\s+(?:новости|статьи)"
    r"|اقرأ\s+أيضا|(?:أخبار|مواضيع|مقالات)\s+ذات\s+صلة|(?:เรื่อง|ข่าว)ที่เกี่ยวข้อง"
    r"|相[关關](?:新[闻聞]|[阅閱][读讀]|文章|报道|報導)|延伸[阅閱][读讀]|関連(?:記事|ニュース)"
    r"|관련\s?(?:기사|뉴스)"
    # a sign-up box: POLITICO's "Get reporter alerts" over its reporters' names (not a bare
    # "Newsletters": a list of them may be the article's)
    r"|(?:reporter|email|e-mail|news)\s+alerts|sign\s+up\s+for"
    # the site's other articles: "Auch auf gofeminin.de", "Also on Example.com"
    r"|(?:auch|mehr)\s+(?:auf|bei)\s+\S+\.[a-z]{2,}|(?:also|more)\s+on\s+\S+\.[a-z]{2,}"
    r"|aussi\s+sur\s+\S+\.[a-z]{2,})",
    re.I,
)
#: the labels of a link to another article, but for "related" and a bare "more" (below)
_TEASER_LABELS = (
    r"read\s+(?:more|also|next)|also\s+read|see\s+also|lesen\s+sie\s+(?:auch|mehr)"
    r"|mehr\s+zum\s+thema|(?:\u00e0|a)\s+lire\s+aussi|leggi\s+anche|lee\s+tambi\u00e9n"
    r"|more\s+from\s[^:]{1,60}"
)
#: after the label, one clause: the other article's headline
_TEASER_HEADLINE = r"\s*:\s*[^.!?]{3,150}[.!?]?"
#: a link to another article, alone on the article's last line: "READ MORE: Riot is
#: considering ...", "More from Bing and MSN Lifestyle: ..." (not "LISTEN:" or "WATCH:", which
#: on a radio or TV station's page link the piece itself)
_TEASER = re.compile(rf"(?:{_TEASER_LABELS}|related|more){_TEASER_HEADLINE}", re.I)
#: the same link alone on a line inside the article, where it teases another article: "Lesen
#: Sie auch: ...", "A lire aussi : Notre récit du discours de Martine Aubry" (Libération),
#: "READ MORE: ..." (not a bare "More:", which may lead the article's own sentence)
_INLINE_TEASER = re.compile(
    rf"(?:{_TEASER_LABELS}|related(?:\s+(?:article|story|stories|coverage))?){_TEASER_HEADLINE}",
    re.I,
)
#: a button's or an ad slot's label alone on a line inside the article, whose button or ad is
#: gone: POLITICO's "Continue Reading" (it unfolded the rest), "Story continues below
#: advertisement", "Advertisement", "Anzeige". Each stood for something that is not the text.
_INLINE_LABEL = re.compile(
    r"(?:continue\s+reading(?:\s+(?:below|the\s+(?:main\s+)?story))?|read\s+more|weiterlesen"
    r"|lire\s+la\s+suite|seguir\s+leyendo|leer\s+m\u00e1s|continua\s+a\s+leggere"
    r"|(?:the\s+)?(?:story|article|text)\s+continues(?:\s+(?:below|after))?"
    r"(?:\s+(?:the\s+)?(?:advertisement|ad))?|scroll\s+to\s+continue(?:\s+with\s+content)?"
    r"|advertisement|anzeige|werbung|publicit\u00e9|publicidad|pubblicit\u00e0|reklame"
    r"|sponsored(?:\s+content)?)",
    re.I,
)
#: a box that links another article: Le Monde diplomatique's quoted "Lire aussi Martine Bulard
#: & Sung Il-kwon, « En Corée, ... », Le Monde diplomatique, juin 2018." (no colon), "Lire aussi
#: | ..." in a line of its own
_ALSO_BOX = re.compile(
    r"(?:(?:\u00e0\s+)?lire\s+aussi|read\s+also|also\s+read|see\s+also|voir\s+aussi"
    r"|lesen\s+sie\s+auch|siehe\s+auch|mehr\s+zum\s+thema|leggi\s+anche"
    r"|lee\s+tambi\u00e9n)(?P<separator>\s*[:|\u2013\u2014-]\s)?\s*\S",
    re.I,
)
#: at most this long: a box, not a paragraph
_ALSO_BOX_CHARS = 200
#: a result counter under a list that is gone: "1 - 5 of 218 results."
_COUNTER = re.compile(r"\d+\s*[-\u2013]\s*\d+\s+(?:of|von|sur|de|di)\s+\d+(?:\s+\w+)?", re.I)
#: a call to write to the site, its address gone with the link: "Questions? Comments? Email us at"
_CONTACT = re.compile(r"^\W*questions\?\s*comments\?|\be-?mail\s+us(?:\s+at)?\W*$", re.I)
#: the end of a wire's or a press release's text, marked: Yonhap's "(END)", "-ends-", "###",
#: "-30-", "(Ende)", "(FIN)"
_END_MARK = re.compile(
    r"[(\[]?\s*(?:end|ends|ende|fin)\s*[)\]]?|[-\u2013\u2014]+\s*(?:end|ends|ende|fin|30)\s*"
    r"[-\u2013\u2014]+|(?:#\s*){3}",
    re.I,
)
#: a writer's address alone on the last line, a name or a title before it at most: Yonhap's
#: "kokobj@yna.co.kr", Dong-a Ilbo's "최윤호 기자 uknow@donga.com" ("reporter")
#: (not under a label: a press release's "Media contact: jane@example.com" is the release's)
_WRITERS_ADDRESS = re.compile(r"(?:[^\s@.!?:]+\s+){0,2}[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: a call to follow the site or its writer elsewhere: "Follow ONE Esports on Facebook and Twitter
#: for more LoL news", "Folgen Sie uns auf Facebook", "... Follow @mr_mo56"
_SOCIAL = re.compile(
    r"^\W*(?:follow|folgen\s+sie|folge|suivez|seguici|s\u00edguenos|siga-nos|you\s+can\s+(?:keep"
    r"\s+up\s+with|follow)|подписывайтесь"
    r"|підписуйтеся|تابعونا|bizi\s+takip\s+edin)"
    r"\b.{0,120}\b(?:twitter|facebook|instagram|linkedin|youtube|tiktok|threads|bluesky|mastodon"
    r"|telegram|whatsapp|vk|вконтакте|телеграм|تويتر|فيسبوك)"
    r"|\bfollow\s+@\w+\W*$",
    re.I,
)
#: a note that the page's links earn the site a commission ("some of the links on ONE Esports are
#: affiliate links ... we may earn a small commission", "If you buy something from a Verge
#: link, Vox Media may earn a commission", "... über diese Links ... erhalten wir eine
#: Provision"), at either end
_DISCLOSURE = re.compile(
    r"\baffiliate[-\s]?links?\b.{0,300}?\b(?:commission|earn|provision|verdienen)"
    r"|\b(?:earn|receive|get)\b.{0,40}?\bcommission\b.{0,150}?\b(?:affiliate|links?)\b"
    r"|\b(?:buy|purchase)\b.{0,80}?\blinks?\b.{0,80}?\b(?:earn|receive|get)\b.{0,30}?\bcommission"
    r"|\blinks?\b.{0,120}?\b(?:erhalten|bekommen|verdienen)\s+wir\b.{0,60}?\bprovision\b",
    re.I | re.S,
)
#: the longest such a note may be (characters)
_DISCLOSURE_MAX = 400
#: a note that the article was first published elsewhere, at either end: "This article
#: originally appeared on VICE US.", "This article is republished from The Conversation under a
#: Creative Commons license.", "Dieser Artikel erschien zuerst bei ..." (the canonical address
#: names the original; the note is no part of the text)
_SYNDICATED = re.compile(
    r"^\W*this\s+(?:article|story|post|piece|interview)\s+(?:was\s+|is\s+)?"
    r"(?:(?:originally|first)\s+(?:appeared|published|ran|posted)|republished|reprinted)"
    r"\s+(?:here\s+)?(?:on|in|at|by|from|with)\b"
    r"|^\W*dieser\s+(?:artikel|beitrag|text)\s+(?:erschien|ist)\s+(?:zuerst|urspr\u00fcnglich)"
    r"|^\W*cet\s+article\s+(?:a\s+)?(?:d['\u2019]abord\s+)?(?:\u00e9t\u00e9\s+)?"
    r"(?:initialement\s+)?publi\u00e9\s+(?:initialement\s+|d['\u2019]abord\s+)?(?:sur|dans|par)\b",
    re.I,
)
_SYNDICATED_MAX = 250
#: a copyright notice: "™ & © 2013 Cable News Network, Inc. ... All rights reserved.",
#: "Copyright MyCorp © 2016" (not "the copyright to the 1999 photo", nor a list's "(c) 2019
#: figures": the sign, or the word right before a year or the sign)
_COPYRIGHT = re.compile(
    r"©\s*(?:[^\s.!?]+\s+){0,5}?(?:19|20)\d\d\b"
    r"|\bcopyright\s*(?:©|\(c\))?\s*(?:19|20)\d\d\b"
    r"|\ball\s+rights\s+reserved|\balle\s+rechte\s+vorbehalten|\btous\s+droits\s+réserv"
    r"|\btodos\s+los\s+derechos\s+reservados|\btutti\s+i\s+diritti\s+riservati"
    r"|جميع\s+الحقوق\s+محفوظة",
    re.I,
)
#: the longest a copyright notice may be (characters)
_COPYRIGHT_MAX = 200
#: the terms of the texts' use: "Die Rechte sämtlicher Texte sind beim Katholischen
#: Medienzentrum. Jede Weiterverbreitung ist honorarpflichtig.", "This material may not be
#: published, broadcast, rewritten or redistributed." (not news that some may not be)
_RIGHTS = re.compile(
    r"\bweiterverbreitung\b.{0,40}?\b(?:honorarpflichtig|untersagt|nicht\s+(?:erlaubt|gestattet))"
    r"|\bdie\s+rechte\s+(?:s\u00e4mtlicher|aller|an\s+(?:den|allen))\s+(?:texte|inhalte|beitr\u00e4ge)"
    r"|\bthis\s+(?:material|article|content|story|text)\s+may\s+not\s+be\s+(?:re)?"
    r"(?:published|reproduced|distributed)|^\W*(?:any\s+)?reproduction\b.{0,60}?\b(?:is\s+)?"
    r"(?:strictly\s+)?(?:prohibited|forbidden)\b|\breproduction\s+interdite\b",
    re.I,
)
#: the longest such terms may be (characters)
_RIGHTS_MAX = 400
#: how the site asks to be cited, under every article of Science X's sites (phys.org,
#: medicalxpress.com, techxplore.com): "Citation: <headline> (2019, October 22) retrieved 20
#: January 2020 from https://phys.org/news/...", with or without its terms of use after it
_CITATION = re.compile(
    r"^\W*citation\s*:.{1,300}?\bretrieved\b.{1,40}?\bfrom\s+https?://\S+", re.I | re.S
)
_CITATION_MAX = 800
#: a notice that the rest of the article is for subscribers, where the text stops: Nikkei's
#: "この記事は会員限定です。電子版に登録すると続きをお読みいただけます。", Le Monde's "Il vous
#: reste 78% de cet article à lire. La suite est réservée aux abonnés.", "Subscribe to continue
#: reading", "Dieser Artikel ist exklusiv für Abonnenten", "Weiterlesen mit Z+", a login's
#: "Already a subscriber?" (an imperative or the site's own words, never a report of them)
_PAYWALL = re.compile(
    r"(?:^|[.!?:]\s+)\W*(?:please\s+)?(?:subscribe|sign\s+(?:in|up)|log\s*in|register)"
    r"(?:\s+(?:now|today|or\s+(?:subscribe|sign\s+(?:in|up)|log\s*in|register)))*"
    r"\s+(?:to|and)\s+(?:continue|keep)\s+reading\b"
    r"|(?:^|[.!?]\s+)\W*to\s+(?:continue|keep)\s+reading\b.{0,60}?\b(?:subscri|sign\s+in"
    r"|log\s*in|register|member)"
    r"|\b(?:this|the\s+rest\s+of\s+this)\s+(?:article|story|content|post|page)\s+is\s+"
    r"(?:(?:only|exclusively|available|reserved)\s+)*(?:for|to)\s+(?:our\s+)?(?:[\w'\u2019+-]+\s+)"
    r"{0,3}?(?:subscribers|members)\b"
    r"|\byou(?:'ve|\u2019ve|\s+have)\s+reached\s+(?:your|the)\s+(?:\w+\s+){0,3}?(?:limit|maximum)\b"
    r"|\balready\s+an?\s+(?:subscriber|member)\s*\?"
    r"|\b(?:dieser|der)\s+(?:artikel|beitrag|inhalt|text)\s+ist\s+(?:(?:nur|exklusiv"
    r"|ausschlie\u00dflich)\s+)*f\u00fcr\s+(?:\w+\s+){0,3}?(?:abonnent|abonnentinnen|plus|premium)"
    r"|\b(?:jetzt\s+)?(?:weiterlesen|lesen\s+sie\s+(?:jetzt\s+)?(?:weiter|alles))\s+mit\s+"
    r"[^.!?]{0,30}?(?:\+|\bplus\b|\babo\w*|\bpremium\b)"
    r"|\b(?:schon|bereits)\s+(?:ein\s+)?abonnent(?:in)?\s*\?"
    r"|\bil\s+vous\s+reste\s+\d+\s*%\s+de\s+cet\s+article"
    r"|\b(?:la\s+suite|cet\s+article|ce\s+contenu)\s+(?:de\s+cet\s+article\s+)?est\s+"
    r"r\u00e9serv\u00e9e?\s+aux\s+abonn"
    r"|\bd\u00e9j\u00e0\s+abonn\u00e9e?\s*\?"
    r"|\b(?:este|el)\s+(?:art\u00edculo|contenido)\s+es\s+(?:(?:exclusivo|solo)\s+)*para\s+"
    r"(?:\w+\s+){0,2}?(?:suscriptor|socio|abonado)"
    r"|\bsuscr\u00edbete\s+para\s+(?:seguir|continuar)\s+leyendo"
    r"|\barticolo\s+(?:\u00e8\s+)?riservato\s+agli\s+abbonati"
    # Dutch, Portuguese, Swedish, Polish, Russian
    r"|\b(?:dit|het)\s+(?:artikel|stuk)\s+is\s+(?:alleen|exclusief)\s+(?:voor|beschikbaar\s+voor)"
    r"\s+(?:\w+\s+)?abonnees|\b(?:este|o)\s+(?:conte\u00fado|artigo)\s+\u00e9\s+exclusivo\s+para"
    r"\s+assinantes|\b(?:denna|den\s+h\u00e4r)\s+artikel\s+\u00e4r\s+(?:endast\s+)?f\u00f6r"
    r"\s+(?:\w+\s+)?prenumeranter|\b(?:ten\s+)?artyku\u0142\s+(?:jest\s+)?dost\u0119pny\s+"
    r"(?:tylko\s+)?dla\s+(?:\w+\s+)?(?:subskrybent|prenumerator)"
    r"|материал\s+доступен\s+только\s+(?:для\s+)?подписчик"
    r"|会員限定|続きをお読みいただけます|続きを読むには",
    re.I | re.S,
)
_PAYWALL_MAX = 300
#: a call to fund the site, and how to pay: "Support independent journalism: donate now",
#: "Jetzt spenden", Prachatai's "โอนเงิน PayPal คลิกที่นี่ https://paypal.me/prachatai" (transfer
#: by PayPal) and "(รายงานยอดบริจาคสนับสนุน)" (the donations report); a payment handle
#: (``_PAYMENT``) anywhere in the line, a call only at its start (a closing "people were
#: urged to donate" is news, and so is "Spenden sind weiter möglich": only the imperative)
_PAYMENT = re.compile(
    r"paypal\.me/|\bpromptpay\b|\b(?:patreon|ko-fi|buymeacoffee|liberapay)\.com/"
    r"|\bIBAN\W{0,3}[A-Z]{2}\d{2}",
    re.I,
)
_DONATION = re.compile(
    r"^\W*(?:please\s+)?(?:donate(?:\s+(?:now|today|here)\b|\W*$)|make\s+a\s+donation"
    r"|support\s+(?:us|(?:our|independent)\s+(?:work|journalism|reporting|newsroom))\b"
    r"|become\s+a\s+(?:member|patron|supporter)\b|(?:jetzt|hier)\s+spenden\b|spenden\s+sie"
    r"|unterst(?:\u00fc|ue)tzen\s+sie\s+(?:uns|unsere\s+arbeit)|soutenez[-\s]nous"
    r"|faites\s+un\s+don|faire\s+un\s+don|ap\u00f3yanos|haz\s+una\s+donaci\u00f3n"
    r"|sostienici|поддержите\s+нас)|ร่วมสนับสนุนเรา|ยอดบริจาค",
    re.I,
)
#: the article's tags or categories under it: "Schlagworte: Cybercrime, Cyberkrieg, LÜKEX",
#: "Tags: ATSC 3.0, NextGen TV", "Filed under: Streaming"
_TAGS_LABEL = re.compile(
    r"(?:(?:tags|schlagw(?:\u00f6|o)rte?r?|stichw(?:\u00f6|o)rte?r?|themen|kategorien?"
    r"|categories|mots-cl\u00e9s|\u00e9tiquettes|etiquetas)\s*:|(?:tagged(?:\s+with)?"
    r"|filed\s+under|posted\s+in)\s*:?)\s*",
    re.I,
)
_TAG_SEPARATOR = re.compile(r"\s*[,|;\u00b7]\s*")
#: the most words a tag has
_TAG_WORDS = 4
#: the longest such a line may be (characters)
_TAGS_MAX = 300
#: the rules of the comments under an article, where the comments are gone: CNN Arabic's "...
#: مراجعة التعليقات قبل نشرها ..." (review the comments before they are published),
#: "alle Kommentare vor der Veröffentlichung von mir gegengelesen": the comments, what is done
#: with them, and the site speaking to its reader; never a quotation
_COMMENTS = re.compile(
    r"comment|kommentar|coment|التعليق|تعليق|reactie|komentarz|评论|評論|コメント", re.I
)
_COMMENT_RULES = re.compile(
    r"reserv\w*\s+(?:the|el|le)?\s*(?:right|derecho|droit)|behalten\s+(?:uns|sich)\s+(?:das\s+)?recht"
    r"|moderat|not\s+(?:be\s+)?(?:permitted|allowed)|nicht\s+erlaubt|no\s+está\s+permitido"
    r"|guidelines|richtlinien|netiquette|إرشادات|before\s+(?:they\s+are\s+|being\s+)?publish"
    r"|vor\s+(?:der|ihrer)\s+veröffentlichung|antes\s+de\s+(?:ser\s+)?publica"
    r"|avant\s+(?:leur\s+)?publication|قبل\s+نشرها|inappropriate|inapropiad|unangemessen",
    re.I,
)
#: the site speaking to its reader, in the second person (not "the company told us")
_READER = re.compile(
    r"\b(?:you|your|ihr|ihre|deine?|vous|votre|usted|tus?)\b"
    r"|ننصحك|مشاركاتك|يمكنك",
    re.I,
)
#: a disclaimer for the readers' views below the article: "الآراء الواردة أدناه لا تعبر عن رأي
#: موقع CNN" (the views below do not express CNN's): the views below, a "not" and the site
_VIEWS_BELOW = re.compile(
    r"(?:views|opinions|comments|الآراء|opiniones|comentarios|meinungen|kommentare|avis|commentaires)"
    r"\b.{0,30}?(?:\bbelow\b|أدناه|\babajo\b|\bunten\b|ci-dessous)",
    re.I,
)
_DISOWNED = re.compile(
    r"(?:\bnot\b|\bno\b|\bnicht\b|\bpas\b|لا\s).{0,60}?(?:\bsite\b|website|موقع|sitio"
    r"|\bseite\b|rédaction|redaktion|redacción|editors?\b)",
    re.I,
)
#: the heading of a comment form: "Comentar", "Leave a Reply", "Kommentar schreiben"
_COMMENT_HEAD = re.compile(
    r"comentar(?:ios)?|deja\s+(?:tu|un)\s+comentario|leave\s+a\s+(?:comment|reply)"
    r"|(?:post|add)\s+a\s+comment|comments?|kommentare?(?:\s+(?:schreiben|verfassen|hinterlassen))?"
    r"|kommentieren|laisser\s+un\s+commentaire|commentaires?|commenter|lascia\s+un\s+commento"
    r"|commenti|reacties?|reageer",
    re.I,
)
#: the longest the comments' rules may be (characters)
_COMMENT_RULES_MAX = 1000
_QUOTES = re.compile('["“”„«»]')


def _tags_line(text: str) -> bool:
    """A label and a list of tags of a few words each, no sentence among them."""
    label = _TAGS_LABEL.match(text)
    if label is None:
        return False
    tags = _TAG_SEPARATOR.split(text[label.end() :].rstrip(" ."))
    return all(
        tag and len(tag.split()) <= _TAG_WORDS and not re.search(r"[!?]|\.\s", tag) for tag in tags
    )


def _comment_rules(element: Any, text: str) -> bool:
    """The rules of a comment form whose comments are gone (``_COMMENT_RULES``): they name the
    comments and what is done with them, and speak to the reader or stand under the form's
    heading ("Comentar"); or the readers' views below are disowned."""
    if len(text) > _COMMENT_RULES_MAX or _QUOTES.search(text):
        return False
    if _VIEWS_BELOW.search(text) and _DISOWNED.search(text):
        return True
    if not (_COMMENTS.search(text) and _COMMENT_RULES.search(text)):
        return False
    before = element.getprevious()
    under_form = (
        before is not None
        and before.tag == "head"
        and _COMMENT_HEAD.fullmatch(_text(before).strip(_ENDS)) is not None
    )
    return under_form or _READER.search(text) is not None


#: a list of links is this short per item (characters), a list of the article's points longer
_LINK_ITEM = 150


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _only_headings(element: Any) -> bool:
    """A list whose items hold headings alone (a share bar: ``<item><head>Teilen auf``)."""
    heads = element.findall(".//head")
    words = "".join(_text(element).split())
    return bool(heads) and words == "".join("".join(_text(h) for h in heads).split())


def _leftover(element: Any) -> bool:
    text = _text(element)
    if not text.strip(_ENDS):
        return True  # an empty table, a lone separator
    if element.tag == "head" or (element.tag == "list" and _only_headings(element)):
        return True  # a heading that heads nothing
    if _comment_rules(element, text):
        return True
    if element.tag == "list":
        items = [_text(item) for item in element.iter("item")]
        if not items:
            return False
        return all(_COUNTED.match(item) for item in items) or (
            _links_box(element) and all(len(item) <= _LINK_ITEM for item in items)
        )
    if len(text) <= 160 and _TEASER.fullmatch(text.strip()):
        return True
    if len(text) <= _DISCLOSURE_MAX and _DISCLOSURE.search(text):
        return True
    if len(text) <= _SYNDICATED_MAX and _SYNDICATED.search(text):
        return True  # "This article originally appeared on VICE US."
    if len(text) <= _COPYRIGHT_MAX and _COPYRIGHT.search(text):
        return True
    if len(text) <= _RIGHTS_MAX and _RIGHTS.search(text) and not _QUOTES.search(text):
        return True  # the terms of the texts' use
    if len(text) <= _TAGS_MAX and _tags_line(text):
        return True  # the article's tags
    if len(text) <= _CITATION_MAX and _CITATION.match(text):
        return True  # how to cite the page
    if len(text) <= _PAYWALL_MAX and _PAYWALL.search(text) and not _QUOTES.search(text):
        return True  # the rest is for subscribers
    if len(text) <= _PAYWALL_MAX and (
        _PAYMENT.search(text) or (_DONATION.search(text) and not _QUOTES.search(text))
    ):
        return True  # how to pay the site (its foundation's name may be quoted), a call to
    if element.tag == "p" and _links_paragraph(element):
        return True  # "Related" and the other articles' headlines, a line each
    if len(text) <= _SHORT and _profile_link(text) and not _BYLINE.search(text):
        return True  # "Twitter: @site"
    if len(text) <= 160 and _SOCIAL.search(text) and not _BYLINE.search(text):
        return True  # (a byline that ends so, "-- By Michael Russell Follow @tdmrussell", stays)
    if len(text) > _SHORT:
        return False
    return bool(
        _LABEL.match(text)
        or _PHRASES.fullmatch(text.strip(_ENDS))
        or _CREDIT.match(text)
        or _COUNTER.fullmatch(text.strip(_ENDS))
        or _CONTACT.search(text)
        or _sign_off(element, text)
        or _menu_row(text)
    )


#: a link to a profile on a social network, or a handle: "https://twitter.com/prachatai",
#: "fb.me/prachatai", "@prachatai" (not an e-mail address)
_PROFILE = re.compile(
    r"(?:https?://|(?<![\w.-]))(?:www\.)?(?:twitter|x|facebook|fb|instagram|linkedin|youtube"
    r"|tiktok|t|line|threads|bsky|mastodon\.social)\.(?:com|me|net|app|social)/\S*"
    r"|(?<![\w.@])@\w{2,}\b"
)


def _profile_link(text: str) -> bool:
    """A line that points to the site's or the writer's profile elsewhere, with a few words at
    most: "Twitter: @tdmrussell", "เฟซบุ๊ก https://fb.me/prachatai", "LINE ไอดี = @prachatai"."""
    if not _PROFILE.search(text):
        return False
    rest = _PROFILE.sub(" ", text).strip(_ENDS + "=")
    return len(rest.split()) <= 3 and not re.search(r"[.!?]", rest)


def _menu_row(text: str) -> bool:
    """A row of links' names between bars, three or more of a few words each: CNET's podcast
    feeds "iTunes (HD) | iTunes (SD) | iTunes (HQ) | iTunes (MP3)" under "Subscribe:"."""
    items = [item.strip() for item in text.split("|")]
    return (
        len(items) >= 3
        and all(item and len(item.split()) <= 3 for item in items)
        and not any(c in text for c in ".!?")
    )


def _sign_off(element: Any, text: str) -> bool:
    """The end mark of a wire's text, or its writer's address, a line each: Yonhap's
    "kokobj@yna.co.kr<lb/>(END)"."""
    lines = _lines(element) if element.find("lb") is not None else [text]
    return bool(lines) and all(
        _END_MARK.fullmatch(line.strip()) or _WRITERS_ADDRESS.fullmatch(line.strip(_ENDS))
        for line in lines
    )


def _related_label(text: str) -> bool:
    """A short label that names other articles or an advertisement ("Related", "Anzeige")."""
    return len(text) <= _SHORT and _RELATED.search(text) is not None


def _links_box(element: Any) -> bool:
    """A list under a heading or a label that names other articles or an advertisement."""
    before = element.getprevious()
    if before is None:
        return False
    label = _text(before)
    is_label = before.tag == "head" or _LABEL.match(label) is not None
    return is_label and _related_label(label)


def _lines(element: Any) -> list[str]:
    """The text of ``element`` line by line, as its line breaks (``<lb/>``) divide it."""
    lines, current = [], [element.text or ""]
    for child in element:
        if child.tag == "lb":
            lines.append(" ".join("".join(current).split()))
            current = []
        else:
            current.append("".join(child.itertext()))
        current.append(child.tail or "")
    lines.append(" ".join("".join(current).split()))
    return [line for line in lines if line]


def _links_paragraph(element: Any) -> bool:
    """A paragraph that is a links box: a label that names other articles on its first line,
    their headlines on the next ones ("เรื่องที่เกี่ยวข้อง" over two of Prachatai's headlines)."""
    if not element.findall("lb"):
        return False
    lines = _lines(element)
    return (
        len(lines) >= 2
        and _related_label(lines[0])
        and all(len(line) <= _LINK_ITEM for line in lines[1:])
    )


def _menu_run(body: Any) -> int:
    """How many of the last blocks are a menu's entries: one word each ("Suche",
    "Diskussionsforum", "Kleinanzeigen", "Gebrauchtmaschinen"), three or more in a row."""
    run = 0
    for block in reversed(body):
        words = _text(block).split()
        if len(words) != 1 or not words[0].isalpha() or (block.tail and block.tail.strip()):
            break
        run += 1
    return run if run >= 3 else 0


#: what a page's first blocks may be that is no part of its article: a skip link's or a menu's
#: words, a breadcrumb trail, a notice that JavaScript is off, a cookie banner, a tag list
_HEAD_PHRASES = re.compile(
    r"(?:(?:skip\s+to\s+)?(?:main\s+)?content|zum\s+inhalt(?:\s+springen)?|direkt\s+zum\s+inhalt"
    r"|aller\s+au\s+contenu|men[u\u00fc]|navigation|search|suche|startseite|home|accueil)",
    re.I,
)
_BREADCRUMB = re.compile(r"\s(?:>|\u203a|\u00bb)\s")  # not "/": "ARD / ZDF / RTL: ..." leads
_SCRIPT_NOTICE = re.compile(
    r"\b(?:please|bitte|veuillez|you\s+(?:need|have)\s+to|you\s+must)\b.{0,60}?\bjavascript\b"
    r"|\bjavascript\b.{0,40}?(?:is\s+(?:disabled|required|turned\s+off)|ist\s+deaktiviert"
    r"|wird\s+ben\u00f6tigt|erforderlich|est\s+d\u00e9sactiv\u00e9|in\s+(?:your|ihrem)\s+browser"
    r"|dans\s+votre\s+navigateur)",
    re.I | re.S,
)
_CONSENT = re.compile(
    r"\bcookies?\b.{0,300}?(?:stimmen\s+sie|you\s+agree|you\s+consent|vous\s+acceptez"
    r"|akzeptieren\s+sie|einverstanden)|(?:by\s+continuing|continuing\s+to\s+use"
    r"|durch\s+die\s+(?:weitere\s+)?nutzung|en\s+poursuivant).{0,300}?\bcookies?\b",
    re.I | re.S,
)
_TAG_LABEL = re.compile(
    r"(?:read\s+more|related|tags|schlagw(?:\u00f6|o)rte?r?|themen|mehr\s+zum\s+thema"
    r"|lesen\s+sie\s+auch|mots-cl\u00e9s)\s*:",
    re.I,
)
#: the longest a notice or a trail at the top may be (characters)
_NOTICE = 400
#: a byline alone on a line: "Von Gregory Lipinski", "von Klaus-Peter Schöppner, 8.5.12",
#: "11.09.2011, 16:20 von jovelstefan" (the authors are the article's metadata)
_BYLINE = re.compile(
    r"(?:^|(?<=[\s,|]))(?:by|von|par|por|door|written\s+by|author|autor)\s*:?\s+"
    r"([^\W\d_][^,|\d.!?:]{1,40})(?=$|\s*[,|])",
    re.I,
)
#: a credit for a picture that is gone: "Courtesy G4", "Illustration by Mike Nudelman"
_COURTESY = re.compile(r"(?:courtesy(?:\s+of)?|illustration(?:\s+by)?)\s+[^.!?,]{1,50}", re.I)


def _dateline(text: str) -> bool:
    """A line that only dates the article, with its author or place: "January 22, 2014", "Von
    Gregory Lipinski", "Patricio Candia | Palma de Mallorca | 08/01/2014"."""
    if len(text) > _SHORT:
        return False
    byline = _BYLINE.search(text)
    if byline is not None:
        if len(byline.group(1).split()) > 5:
            return False
        rest = (text[: byline.start()] + text[byline.end() :]).strip(_ENDS)
        return not rest or not re.search(r"[^\W\d_]", rest) or is_dateline(rest)
    parts = [part.strip(_ENDS) for part in text.split("|")]
    if len(parts) >= 2 and is_dateline(parts[-1]):
        return all(len(part.split()) <= 4 and not re.search(r"[.!?]", part) for part in parts[:-1])
    return is_dateline(text)


#: a picture's caption left where the picture was taken out, known by the credit it ends with:
#: "Auch Herbert Grönemeyer gehört zu den Unterstützern. Bild: dpa" (FAZ), "... (Photo: AP)"
_CAPTION = re.compile(
    r"(?:\b(?:bild|foto|photo|image|picture)s?\s*:\s*[^.:!?]{1,40}"
    r"|\((?:photos?|fotos?|bild|image)\s*:?\s*[^()]{1,40}\)"
    # a wire's credit, its photographer after it, after the caption's sentence: "Tapie en
    # 2008. REUTERS/Benoit Tessier" (not "a poll by Reuters/Ipsos.", a sentence)
    r"|(?:^|[.!?]\s|[|\u2013\u2014-]\s)\s*(?-i:REUTERS|AFP|AP(?:\s+Photo)?|EPA|dpa"
    r"|Getty\s+Images|Bloomberg|Xinhua)\s*/\s*[^\W\d_][\w'\u2019-]*"
    r"(?:\s[^\W\d_][\w'\u2019-]*){0,3})[\s\u2013\u2014-]*$",
    re.I,
)
#: the longest such a caption may be (characters)
_CAPTION_MAX = 200
#: a heading above the article's headline is a kicker or the blog's name ("Market Insider"
#: above CNBC's headline) when it has at most this many words
_KICKER_WORDS = 6


def _head_leftover(element: Any, title: str | None = None) -> bool:
    text = _text(element)
    if not text.strip(_ENDS):
        return True
    if element.tag == "list" and _only_headings(element):
        return True  # a sidebar's headings above the article
    if len(text) > _NOTICE:
        return False
    bare = text.strip(_ENDS)
    if len(text) <= _SHORT and (_PHRASES.fullmatch(bare) or _HEAD_PHRASES.fullmatch(bare)):
        return True
    if len(text) <= 200 and len(_BREADCRUMB.findall(text)) >= 2:
        return True  # "Accueil > Actualités et humeurs > Décisions de l'AG"
    if _byline_or_credit(element):
        return True  # a byline, a date alone, a picture's credit
    if _caption(element):
        return True  # a picture's caption with its credit
    if _kicker(element, text) and _headline(element, title):
        return True  # a kicker, a section's or the blog's name right above the headline
    if _wire_name(element, text):
        return True  # "CNN" above "WASHINGTON (CNN) — ..."
    if _empty_label(element, text):
        return True  # "Episode Teaser Image:" over "Episode Description:"
    if len(text) <= _DISCLOSURE_MAX and _DISCLOSURE.search(text):
        return True  # "If you buy something from a link, we may earn a commission"
    if len(text) <= _SYNDICATED_MAX and _SYNDICATED.search(text):
        return True  # "This article originally appeared on VICE US."
    return bool(_SCRIPT_NOTICE.search(text) or _CONSENT.search(text) or _TAG_LABEL.match(text))


def _wire_name(element: Any, text: str) -> bool:
    """A wire's or a network's name alone above the dateline that names it again: "CNN" above
    "WASHINGTON (CNN) — Not everyone ..." (fox13now's copy of a CNN story), "Reuters" above
    "LONDON, May 3 (Reuters) - ..."."""
    name = text.strip(_ENDS)
    if element.tag != "p" or not name or len(name) > 40 or len(name.split()) > 3:
        return False
    after = element.getnext()
    if after is None or (element.tail and element.tail.strip()):
        return False
    return f"({name})" in _text(after)[:120]


def _empty_label(element: Any, text: str) -> bool:
    """A label whose content is gone: a short line ending in a colon with another such line
    right after it ("Episode Teaser Image:" over "Episode Description:", Marketplace)."""
    if len(text) > _SHORT or not _LABEL.match(text) or (element.tail and element.tail.strip()):
        return False
    after = element.getnext()
    return after is not None and _LABEL.match(_text(after)) is not None


def _kicker(element: Any, text: str) -> bool:
    """A heading, or a line that ends no sentence, of a few words: "Market Insider",
    "Neuigkeiten", "Business Law"."""
    if len(text.split()) > _KICKER_WORDS:
        return False
    return element.tag == "head" or (
        element.tag == "p" and not text.rstrip().endswith((".", "!", "?", ":"))
    )


def _headline(element: Any, title: str | None = None) -> bool:
    """Whether the block after ``element`` is the article's headline: an ``<h1>``, or a
    heading that reads as the page's title."""
    after = element.getnext()
    if after is None or after.tag != "head" or (element.tail and element.tail.strip()):
        return False
    if after.get("rend") == "h1":
        return True
    return bool(title) and _text(after).casefold() == " ".join((title or "").split()).casefold()


def leading_byline(body: Any) -> str | None:
    """The author's name a byline at the top of trafilatura's ``body`` gives ("Von Gregory
    Lipinski", "Written by: Julie Mollins"), before ``trim_head`` drops it: for a page whose
    metadata names no author."""
    for block in body[:3]:
        if block.tag == "head":
            continue
        bare = _text(block).strip(_ENDS)
        found = _BYLINE.search(bare) if _dateline(bare) else None
        if found is not None:
            return found.group(1).strip()
    return None


#: a byline that closes the article, alone on its line: "-- By Michael Russell Follow
#: @tdmrussell" (cleveland.com), "— Von Anna Schmidt"
_CLOSING_BYLINE = re.compile(
    r"(?:--|\u2013|\u2014)?\s*(?:by|von|par|por|door)\s+([^\W\d_][^,|\d.!?:@]{1,40}?)"
    r"(?:\s+follow\s+@\w+)?",
    re.I,
)


def closing_byline(body: Any) -> str | None:
    """The author's name a byline on the last line of trafilatura's ``body`` gives ("-- By
    Michael Russell Follow @tdmrussell"): for a page whose metadata names no writer."""
    if len(body) < 2 or body[-1].tag == "head":
        return None
    text = _text(body[-1])
    if len(text) > _SHORT:
        return None
    found = _CLOSING_BYLINE.fullmatch(text.strip(" \t.;|"))
    return found.group(1).strip() if found is not None else None


def _interface(element: Any) -> bool:
    """A block that is an interface's word alone ("Télécharger", "Share")."""
    text = _text(element)
    return len(text) <= _SHORT and _PHRASES.fullmatch(text.strip(_ENDS)) is not None


#: a date's label alone, its date gone: ABC's "Updated" over a timestamp trafilatura dropped
_DATE_LABEL = re.compile(
    r"(?:(?:last\s+)?updated|published|posted|aktualisiert|ver\u00f6ffentlicht|erstellt"
    r"|mis\s+\u00e0\s+jour|publi\u00e9|actualizado|publicado|aggiornato|pubblicato"
    r"|bijgewerkt|gepubliceerd)(?:\s+(?:on|am|le|el|il|op))?",
    re.I,
)


def _byline_or_credit(element: Any) -> bool:
    text = _text(element)
    if len(text) > _SHORT or element.tag == "head":
        return False
    bare = text.strip(_ENDS)
    return bool(
        _dateline(bare)
        or _DATE_LABEL.fullmatch(bare)
        or _CREDIT.match(bare)
        or _COURTESY.fullmatch(bare)
    )


def trim_head(body: Any, title: str | None = None) -> int:
    """Drop leftover blocks from the start of trafilatura's ``body``: a skip link ("Main
    Content"), a breadcrumb trail, "Please activate JavaScript", a cookie banner, a "Read
    More:" tag list, a sidebar's headings, a byline or a date alone, a picture's credit (also
    right under the headline, with an interface word: "Télécharger"), a kicker above the
    headline (an ``<h1>`` or the page's ``title``). Keeps at least one block; returns how many
    were dropped."""
    dropped = _trim(body, 0, lambda block: _head_leftover(block, title))
    # under the headline, and under a standfirst in a heading of its own after it (Slate)
    for at in (1, 2):
        if any(b.tag != "head" or (b.tail and b.tail.strip()) for b in body[:at]):
            break
        while len(body) > at + 1 and _under_headline(body[at]):
            # under "Anticorrupción decidirá ...": "Patricio Candia | Palma | 08/01/2014"
            body.remove(body[at])
            dropped += 1
    return dropped


def _under_headline(block: Any) -> bool:
    """A leftover right under the headline: a byline, a date or its label alone, an
    interface's word, an empty label, a picture's caption."""
    return not (block.tail and block.tail.strip()) and bool(
        _byline_or_credit(block)
        or _interface(block)
        or _empty_label(block, _text(block))
        or _caption(block)
    )


def _caption(element: Any) -> bool:
    """A picture's caption with its credit: "- Tapie en 2008. REUTERS/Benoit Tessier -"."""
    text = _text(element)
    return element.tag == "p" and len(text) <= _CAPTION_MAX and _CAPTION.search(text) is not None


def trim_tail(body: Any) -> int:
    """Drop leftover blocks from the end of trafilatura's ``body`` (an lxml element); keeps
    at least one block. Returns how many were dropped."""
    menu = min(_menu_run(body), len(body) - 1)
    for _ in range(menu):
        body.remove(body[-1])
    dropped = menu
    while True:
        step = _trim(body, -1, _leftover) + _teaser_cards(body) + _related_run(body)
        if not step:
            return dropped
        dropped += step


def _card(body: Any, at: int) -> bool:
    """Whether ``body[at - 1]``, ``body[at]`` are another article's teaser: a heading, and one
    paragraph whose comment counter trails it ("11 commentaires", "Commenter")."""
    head, teaser = body[at - 1], body[at]
    trailer = (teaser.tail or "").strip(_ENDS)
    return (
        head.tag == "head"
        and not (head.tail and head.tail.strip())
        and teaser.tag == "p"
        and len(_text(teaser)) <= _NOTICE
        and bool(trailer)
        and bool(_PHRASES.fullmatch(trailer) or _COMMENT_HEAD.fullmatch(trailer))
    )


def _teaser_cards(body: Any) -> int:
    """Drop a rail of teasers for other articles from the end ("À la une de libération.fr":
    a heading, a paragraph and its comment counter, each), two or more in a row: one alone may
    be the article's last section with the page's comment counter after it."""
    cards = 0
    while len(body) - 2 * cards > 2 and _card(body, -1 - 2 * cards):
        cards += 1
    if cards < 2:
        return 0
    for _ in range(2 * cards):
        body.remove(body[-1])
    return 2 * cards


#: how many blocks of headlines a label of related articles may head
_RELATED_RUN = 8
#: the markup a bare line of text may hold: line breaks, emphasis
_LINE_MARKUP = frozenset({"lb", "hi"})


def _related_run(body: Any) -> int:
    """Drop a label of related articles and the headlines after it, each a short line (a
    paragraph, or a line of one), from the end: gofeminin's "Auch auf gofeminin.de" over four
    of its headlines ("Warum nehme ich nicht ab? 4 mögliche Gründe"). Without the label before
    them, short lines may be the article's own (a list of its points) and stay."""
    run = 0
    while run < min(_RELATED_RUN, len(body) - 2):
        block = body[-1 - run]
        if block.tag not in ("p", "head") or (block.tail and block.tail.strip()):
            break
        if any(child.tag not in _LINE_MARKUP for child in block):
            break  # a link or a picture inside: no bare line of text
        lines = _lines(block)
        if not lines or any(len(line) > _LINK_ITEM for line in lines):
            break
        run += 1
    for at in range(run, 0, -1):  # the label may head fewer of them than the run holds
        label = body[-1 - at]
        if (
            label.tag in ("p", "head")
            and not (label.tail and label.tail.strip())
            and _related_label(_text(label))
        ):
            for _ in range(at + 1):
                body.remove(body[-1])
            return at + 1
    return 0


def drop_inline_teasers(body: Any) -> int:
    """Drop the links to other articles that stand alone on a line inside the article ("A lire
    aussi : Notre récit du discours de Martine Aubry"): their headline is another article's,
    and a watch on its words would take this article for it. So do a button's or an ad's
    label alone on a line ("Continue Reading", "Advertisement"). A line with text after it
    (its tail) stays. Returns how many were dropped."""
    dropped = 0
    for block in list(body):
        if block.tail and block.tail.strip():
            # loose text between two blocks, where the label was a link of its own
            if len(block.tail) <= 160 and _INLINE_LABEL.fullmatch(block.tail.strip(_ENDS)):
                block.tail = None
                dropped += 1
            continue
        if block.tag not in ("p", "head", "quote"):
            continue
        if len(block.text or "") > _ALSO_BOX_CHARS:
            continue  # a paragraph, not a line (most blocks: the cheap test first)
        text = _text(block)
        box = _ALSO_BOX.match(text) if len(text) <= _ALSO_BOX_CHARS else None
        if box is not None and (block.tag == "quote" or box["separator"]) and len(body) > 1:
            body.remove(block)  # in a line of prose, "See also the report" is a sentence
            dropped += 1
            continue
        if block.tag == "quote":
            continue
        if (
            len(text) <= 160
            and (_INLINE_TEASER.fullmatch(text) or _INLINE_LABEL.fullmatch(text.strip(_ENDS)))
            and len(body) > 1
        ):
            body.remove(block)
            dropped += 1
    return dropped


def _trim(body: Any, at: int, leftover: Callable[[Any], bool]) -> int:
    """Remove ``body[at]`` while it is a leftover, down to one block. A block with text after
    it (its tail; lxml would remove that with it) or, at the start, loose text before it ends
    the trimming: the article goes on there."""
    dropped = 0
    while len(body) > 1:
        block = body[at]
        if not leftover(block) or (block.tail and block.tail.strip()):
            break
        if at == 0 and body.text and body.text.strip():
            break
        body.remove(block)
        dropped += 1
    return dropped


__all__ = ["closing_byline", "drop_inline_teasers", "leading_byline", "trim_head", "trim_tail"]
