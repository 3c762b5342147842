"""The end of an extracted article without what stood there for something taken out."""

from __future__ import annotations

import pytest
from lxml import etree

from mimir.parse import extract_article
from mimir.parse.leftovers import (
    closing_byline,
    drop_inline_teasers,
    leading_byline,
    trim_head,
    trim_tail,
)
from tests.parse.conftest import NOW

PROSE = (
    "<p>Der Sender stellt im Frühjahr auf DVB-T2 um; in den drei Ballungsräumen laufen die "
    "Tests seit Januar, und die Zuschauer brauchen für den Empfang neue Geräte.</p>"
)


def body(*blocks: str) -> etree._Element:
    return etree.fromstring(f"<body>{PROSE}{''.join(blocks)}</body>")


@pytest.mark.parametrize(
    "tail",
    [
        # real pages' ends: brandenburg.de, changelog.blog, futurezone.at, techcrunch, CNN...
        ['<list rend="ul"><item><head rend="h3">Teilen auf</head></item></list>'],
        ['<p><hi rend="#b">Weiterführende Links:</hi></p>',
         '<p><hi rend="#b">Verwandte Themen auf unserem Blog: </hi></p>'],
        ["<p>Kommentare ()</p>"],
        ["<p>Sponsored Ads</p>"],
        ["<p>Loading weather data ...</p>"],
        ["<p>Back to top</p>"],
        ["<p>11 commentaires</p>"],
        ["<p>Mehr zu Konny Reimann und seiner Familie:</p>"],
        ["<table><row><cell>\n</cell></row></table>"],
        # an image's credit where the image was taken out (modepilot.de, AP, Spektrum, Reuters)
        ["<p>Photo Credit: Catwalkpictures</p>"],
        ["<table><row><cell><p>AP Photo/Uncredited</p></cell></row></table>"],
        ["<p>Beitragsbild: Titelseite der FAZ vom 2.4.2019, Ausriss.</p>"],
        ["<p>\u00a9 Thomson Reuters 2020</p>"],
        ['<head rend="h6">Seitenübersicht</head>', '<head rend="h6">Übersicht Beiträge</head>',
         '<list rend="ul"><item>Allgemein (2)</item><item>Konzerte (7)</item>'
         "<item>Presse (6)</item></list>"],
        # a box of links to other articles under its heading or label (TIME, a German blog)
        ['<head rend="h2">More Must-Reads From TIME</head>',
         '<list rend="ul"><item>The Best Inventions of 2023</item>'
         "<item>Want Weekly Recs on What to Watch? Sign Up for Worth Your Time</item></list>"],
        ['<p><hi rend="#b">Werbung:</hi></p>',
         '<list rend="ul"><item>Arduino Uno Rev3 (Original)</item>'
         "<item>iRobot Virtuelle Wand</item></list>",
         '<p><hi rend="#b">Siehe auch:</hi></p>', "<p>Weblinks</p>"],
        # a teaser for another article on the last line (ONE Esports, MSN)
        ['<p><hi rend="#b">READ MORE: Riot is considering making these changes to the Worlds '
         "2024 format</hi></p>"],
        ["<p>More from Bing and MSN Lifestyle Site Search: Get additional content on saving on "
         "your grocery bill</p>"],
        # a result counter, a call to write in whose address went with its link (CNBC)
        ["<p>1 - 5 of 218 results.</p>"],
        ['<p>"Questions? Comments? Email us at</p>', "<p>\u00a9 2011 CNBC.com</p>"],
        # a call to follow the site or its writer elsewhere (USA Today, moritz-meyer.net)
        ["<p>Follow Jefferson Graham on Twitter.</p>"],
        ["<p>Folgen Sie uns auf Facebook und Twitter!</p>"],
        ["<p>Bleib auf dem Laufenden zu aktuellen Entwicklungen im Influencer-Marketing. "
         "Follow @mr_mo56</p>"],
        # a note that the links earn the site a commission (ONE Esports, a German blog)
        ["<p>Just a heads up, some of the links on ONE Esports are affiliate links. This means if "
         "you click on them and make a purchase, we may earn a small commission at no additional "
         "cost to you.</p>"],
        ["<p>Wenn ihr über diese Links einkauft, erhalten wir eine kleine Provision.</p>"],
        # a copyright notice (CNN's wire copy on fox13now, a uCoz site's footer and comment count)
        ["<p>The-CNN-Wire<lb/>™ &amp; © 2013 Cable News Network, Inc., a Time Warner "
         "Company. All rights reserved.</p>"],
        ["<table><row><cell>Kommentare insgesamt: <hi>0</hi></cell><cell/></row></table>",
         "<table><row><cell>Kostenlos Homepage Baukasten - uCoz erstellen</cell>"
         "<cell>Copyright MyCorp © 2016</cell></row></table>"],
        # the article's tags under it (pbrunst.de, a WordPress theme)
        ["<p>Schlagworte: Cybercrime, Cyberkrieg, Cybersecurity, LÜKEX, SCADA</p>"],
        ["<p>Filed under: Streaming | Broadcast | ATSC 3.0</p>"],
        # the rules of a comment form whose comments are gone (CNN Arabic, ultimahora.es, a blog)
        ["<p>ترحب شبكة CNN بالنقاش الحيوي والمفيد، وكي لا نضطر في موقع CNN بالعربية "
         "إلى مراجعة التعليقات قبل نشرها. ننصحك بمراجعة إرشادات الاستخدام للتعرف "
         "إليها جيداً.</p>",
         "<p>الآراء الواردة أدناه لا تعبر عن رأي موقع CNN بالعربية، بل تعكس "
         "وجهات نظر أصحابها فقط.</p>"],
        ['<head rend="h2">Comentar</head>',
         '<list rend="ul"><item>El contenido de los comentarios es la opinión de los usuarios '
         "o internautas no de <hi>ultimahora.es.</hi></item><item>No está permitido verter "
         "comentarios contrarios a las leyes.</item><item><hi>ultimahora.es</hi> se reserva el "
         "derecho de eliminar cualquier comentario inapropiado.</item></list>"],
        ['<head rend="h2">Meine Meinung</head>',
         "<p>Andere Meinung? Fragen? Ergänzungen? Hier ist der Platz dafür. Bitte beachte: "
         "Da hier jeder schreiben kann, werden alle Kommentare vor der Veröffentlichung von "
         "mir gegengelesen. Deine E-Mailadresse wird nicht veröffentlicht.</p>"],
        # a menu's entries, one word each (landwirt.com)
        ["<p>Suche</p>", "<p>Diskussionsforum</p>", "<p>Kleinanzeigen</p>",
         "<p>Gebrauchtmaschinen</p>"],
        # a notice that the rest is for subscribers (Nikkei, Le Monde, and the same elsewhere)
        ["<p>この記事は会員限定です。電子版に登録すると続きをお読みいただけます。</p>"],
        ["<p>Il vous reste 78% de cet article à lire. La suite est réservée aux abonnés.</p>",
         "<p>Déjà abonné ? Se connecter</p>"],
        ["<p>Subscribe to continue reading.</p>", "<p>Already a subscriber? Log in</p>"],
        ["<p>This article is only available to Broadcast Weekly subscribers.</p>"],
        ["<p>Dieser Artikel ist exklusiv für Abonnenten.</p>", "<p>Weiterlesen mit Z+</p>"],
        ["<p>Suscríbete para seguir leyendo</p>"],
        ["<p>Dit artikel is alleen voor abonnees.</p>"],
        ["<p>Este conteúdo é exclusivo para assinantes.</p>"],
        ["<p>Материал доступен только подписчикам.</p>"],
        # how to cite the page (phys.org), a copyright line above it
        ["<p>© 2019 Science X Network</p>",
         "<p>Citation: Flint flake tool partially covered by birch tar adds to evidence of "
         "Neanderthal complex thinking (2019, October 22) retrieved 20 January 2020 from "
         "https://phys.org/news/2019-10-flint-flake-tool-partially-birch.html This document "
         "is subject to copyright. Apart from any fair dealing for the purpose of private study "
         "or research, no part may be reproduced without the written permission.</p>"],
        # the site's profiles elsewhere (prachatai.com), a recommendation widget's label
        ["<p>เฟซบุ๊ก https://fb.me/prachatai</p>", "<p>ทวิตเตอร์ https://twitter.com/prachatai</p>",
         "<p>LINE ไอดี = @prachatai</p>"],
        ["<p>Around the Web</p>"], ["<p>sur le web</p>"],
        # a sign-up box for alerts on the article's reporters (POLITICO)
        ['<head rend="h4">Get reporter alerts</head>',
         '<list rend="ul"><item>Maggie Haberman</item><item>Shira Toeplitz</item></list>'],
        # a call to follow the site on Telegram, VK, Twitter in Russian, Arabic and Turkish
        ["<p>Подписывайтесь на наш Telegram-канал и на нас ВКонтакте</p>"],
        ["<p>تابعونا على تويتر وفيسبوك</p>"],
        ["<p>Bizi takip edin: Twitter ve Instagram</p>"],
        # a note that the article was first published elsewhere (The Conversation's)
        ["<p>This article is republished from The Conversation under a Creative Commons "
         "license. Read the original article.</p>"],
        ["<p>Dieser Artikel erschien zuerst bei netzpolitik.org.</p>"],
        # a rail of teasers for other articles, each with its comment counter (Libération)
        ['<head rend="h2">À la une de libération.fr</head>',
         '<head rend="h3">Une haute responsable de l\u2019ETA arrêtée en France</head>',
         "<p>La femme, Isaskun Lesaka, a été arrêtée près de Macon.</p>1 commentaire",
         '<head rend="h3">La campagne américaine perturbée par l\u2019ouragan Sandy</head>',
         "<p>Barack Obama et Mitt Romney doivent adapter leurs déplacements.</p>11 commentaires",
         "<p>sur le web</p>"],
        # a links box in one paragraph, its label and the headlines a line each (Prachatai's
        # "Related"), then a call to fund the site and how to pay it
        ['<p><hi rend="#b">เรื่องที่เกี่ยวข้อง</hi><lb/>ลืออุ้ม อ.สุรชัย ผู้ลี้ภัยหายจากที่พัก 12 วันแล้ว'
         "<lb/>ตร.เร่งหาเบาะแสคดีฆ่ายัดเสาถ่วงน้ำโขง</p>",
         "<p>เท่าไรก็ได้การสนับสนุนจากคุณ คือการร่วมสร้างและรักษาสื่อเสรี \u2018ประชาไท\u2019 ... "
         "ร่วมสนับสนุนเรา</p>",
         '<p>โอนเงิน พร้อมเพย์ PromptPay "มูลนิธิสื่อเพื่อการศึกษาของชุมชน" 0993000060423</p>',
         "<p>โอนเงิน PayPal คลิกที่นี่ https://paypal.me/prachatai</p>",
         '<p><hi rend="#b">(รายงานยอดบริจาคสนับสนุน)</hi></p>'],
        ['<p><hi rend="#b">相关新闻</hi><lb/>港特首就违建事件道歉<lb/>立法会将辩论不信任动议</p>'],
        # a label of the site's other articles over their headlines, a line each (gofeminin)
        ['<head rend="h2">Auch auf gofeminin.de</head>',
         "<p>Warum nehme ich nicht ab? 4 mögliche Gründe<lb/><lb/>20 Kilo abnehmen: Mit DIESER "
         "Strategie klappt's!<lb/><lb/>Home Gym: So gelingt zuhause das perfekte Workout!</p>"],
        # a podcast player's rows of feeds under "Subscribe:" (CNET)
        ["<p>Subscribe:</p>", "<p>iTunes (HD) | iTunes (SD) | iTunes (HQ) | iTunes (MP3)</p>",
         "<p>RSS (HD) | RSS (SD) | RSS (HQ) | RSS (MP3)</p>"],
        # a wire's end mark and its writer's address (Yonhap), a press release's marks
        ["<p> kokobj@yna.co.kr<lb/>(END)</p>"], ["<p>###</p>"], ["<p>- ENDS -</p>"],
        ["<p>\ucd5c\uc724\ud638 \uae30\uc790 uknow@donga.com</p>"],
        # basicthinking.de's "Auch interessant:" over a list of its headlines
        ["<p>Auch interessant:</p>",
         '<list rend="ul"><item>14 Tipps, wie du mehr Twitter-Follower bekommst</item>'
         "<item>13 Tipps für ein erfolgreicheres LinkedIn-Profil</item></list>"],
        ['<head rend="h3">Related stories</head>', "<p>Tuner prices fall again</p>",
         "<p>Broadcaster tests 5G in Valencia</p>"],
        ["<p>Support independent journalism: donate today.</p>",
         "<p>Jetzt spenden: IBAN DE12 3456 7890 1234 5678 90</p>"],
    ],
)  # fmt: skip
def test_leftovers_at_the_end_are_dropped(tail: list[str]) -> None:
    tree = body(*tail)
    assert trim_tail(tree) == len(tail)
    assert [child.tag for child in tree] == ["p"]


@pytest.mark.parametrize(
    "end",
    [
        "<p>Herzlichst, Eure Martina</p>",  # a sign-off
        "<p>Vielen Dank für das interessante Interview!</p>",
        "<p>Teilen Sie uns Ihre Meinung mit: Was halten Sie vom Umstieg auf DVB-T2?</p>",
        "<p>Mehr</p><p>Die Umstellung kostet den Sender rund vier Millionen Euro.</p>",
        '<list rend="ul"><item>DVB-T2 (HEVC)</item><item>Satellit</item></list>',
        "<p>Share</p>text after it",  # not the end: the body's text goes on
        "<p>Fotos sind erlaubt, sagte der Sprecher des Senders am Ende.</p>",
        # an editors' list of picks is the article (mixed.de's "Tipps der Redaktion")
        '<p><hi rend="#b">Empfehlungen von Dennis:</hi></p>'
        '<list rend="ul"><item>Mobile und stationäre Konsole: Nintendo Switch</item></list>',
        # a list of the article's own points, under a label that names no other articles
        '<p>Die Sender im Überblick:</p><list rend="ul"><item>ARD</item><item>ZDF</item></list>',
        # a station's link to the piece itself; a signature of two short lines
        "<p>LISTEN: American Hero Kelly Malloy Joins Boomer &amp; Carton (06/08)</p>",
        "<p>Liebst,</p><p>Julia</p>",
        # news about commissions and links is news
        "<p>The regulator's commission will decide in May whether the broadcaster's links to "
        "the affiliate network breach the rules, and the hearing is public.</p>",
        "<p>The law's new provision requires platforms to label links to state media.</p>",
        # a byline that ends with its writer's handle (cleveland.com); a follow-up
        "<p>-- By Michael Russell Follow @tdmrussell</p>",
        "<p>Follow-up tests on the new transmitters start in May.</p>",
        # a sentence that starts like a tag list
        "<p>Themen: Die Koalition streitet über die Rente, und die Opposition lacht.</p>",
        # news about comments, their rules and copyright is news
        "<p>Users left angry comments below the post, and the broadcaster apologised.</p>",
        "<p>The platform said it would remove comments that break its guidelines before they "
        "are published, starting in May.</p>",
        "<p>\u201cWe will moderate your comments,\u201d the editor said.</p>",
        "<p>She holds the copyright to the 1999 photograph of the transmitter.</p>",
        "<p>(c) 2019 figures are preliminary, the regulator said.</p>",
        "<p>The company told us it removes comments that break its guidelines.</p>",
        # a sentence that only starts like a teaser
        "<p>More: the broadcaster will add three channels. The regulator agreed on Monday, "
        "and the switch follows in May.</p>",
        # news about paywalls and subscribers is news; so is a byline with its handle
        "<p>The paper said readers must subscribe to continue reading its coverage.</p>",
        "<p>The broadcaster's new archive is only available to its subscribers.</p>",
        "<p>“This article is for subscribers only,” the app told readers.</p>",
        "<p>By Jane Doe @janedoe</p>",
        "<p>Telegram's founder said the channel would follow the new rules in May.</p>",
        "<p>The story first appeared on Twitter, where the broadcaster posted it.</p>",
        # a list of newsletters under its heading may be the article's own
        '<head rend="h2">Newsletters</head><list rend="ul"><item>Broadcast Weekly</item>'
        "<item>TV Tech Daily</item></list>",
        # an address that only ends like a network's ("netflix.com" holds "x.com")
        "<p>Netflix: netflix.com/title/81234567</p>",
        "<p>Contact the newsroom at news@sender.example</p>",
        # a table's row, and a sentence with bars in it
        "<p>| Weinart: | Ros\u00e9wein | lieblich |</p>",
        "<p>The channels ARD | ZDF | RTL all rose in May.</p>",
        # a story's last words, not a mark
        "<p>The End</p>",
        # short lines under a label that names no other articles are the article's own
        '<head rend="h2">Die Sender im Überblick</head><p>Das Erste in HD</p>'
        "<p>ZDF und ZDFneo</p><p>Arte und 3sat</p>",
        '<head rend="h2">Related costs</head><p>The switch to DVB-T2 will cost the broadcaster '
        "four million euros over the next three years, and the regulator has agreed to share "
        "them, said the head of its technology department on Monday.</p>",
        # news about donations is news; a paragraph with line breaks that heads no links
        "<p>Viewers were urged to donate to the appeal, which closes on Friday.</p>",
        "<p>Donations via PayPal rose by a third, the charity said.</p>",
        "<p>Spenden sind weiterhin auf das Konto der Stadt m\u00f6glich.</p>",
        "<p>Donate blood at the three centres, the health office urged on Monday.</p>",
        # a press release's media contact is the release's
        "<p>Media contact: jane.doe@broadcaster.example</p>",
        "<p>Related costs<lb/>The switch to DVB-T2 will cost the broadcaster four million "
        "euros over the next three years, and the regulator has agreed to share them, said "
        "the head of its technology department on Monday in Berlin.</p>",
        # the article's last section, with the page's comment counter after it
        '<head rend="h2">Fazit</head><p>Der Umstieg lohnt sich für alle Zuschauer.</p>5 Kommentare',
    ],
)
def test_the_articles_own_end_stays(end: str) -> None:
    tree = body(end)
    before = etree.tostring(tree)
    assert trim_tail(tree) == 0
    assert etree.tostring(tree) == before


def test_one_block_is_always_kept() -> None:
    tree = etree.fromstring('<body><head rend="h2">Teilen auf</head></body>')
    assert trim_tail(tree) == 0 and len(tree) == 1


def page(before: str = "", after: str = "") -> bytes:
    """An article page of six paragraphs, ``before`` and ``after`` them in its <article>."""
    paragraphs = "".join(
        f"<p>Absatz {i}: Der Sender stellt im Frühjahr auf DVB-T2 um, und die Tests in den "
        f"Ballungsräumen laufen seit Januar ohne größere Störungen.</p>"
        for i in range(6)
    )
    return (
        "<html lang='de'><head><title>Umstellung auf DVB-T2</title></head><body><article>"
        f"<h1>Umstellung auf DVB-T2</h1>{before}{paragraphs}{after}</article></body></html>"
    ).encode()


def test_an_articles_text_and_html_lose_the_leftovers() -> None:
    links = "<p><b>Weiterführende Links:</b></p><ul><li><h3>Teilen auf</h3></li></ul>"
    article = extract_article(page(after=links), "https://sender.example/dvb-t2", now=NOW)
    assert article.text.endswith("ohne größere Störungen.")
    assert "Weiterführende" not in article.text and "Teilen" not in article.text
    assert article.html is not None
    assert "Weiterführende" not in article.html and "Teilen" not in article.html
    assert article.html.count("<p>") == 6


@pytest.mark.parametrize(
    "head",
    [
        # real pages' starts: POLITICO, Rosneft, Oberstdorf, sauvonsluniversite.com, HuffPost
        ["<p>Main Content</p>"],
        ["<p>Please activate JavaScript in your browser to use all interface options.</p>"],
        [
            "<p>Durch die weitere Nutzung der Webseite stimmen Sie unserer Datenschutzerklärung "
            "und der Verwendung von Cookies zu.</p>"
        ],
        ["<p>Accueil &gt; Actualités et humeurs &gt; <hi>Décisions de l'AG</hi></p>"],
        ["<p><hi>Read More:</hi>Federal Open Market Committee, Federal Reserve, Fomc</p>"],
        ["<p>Skip to content</p>", "<p>Menü</p>"],
        [
            "<p>If you buy something from a Verge link, Vox Media may earn a commission. See our "
            "ethics statement.</p>"
        ],
        [
            '<list><item><head rend="h3">Suche</head></item>'
            "<item><head>Newsletter</head></item></list>"
        ],
        # a byline or a date alone, a picture's credit (meedia.de, carta.info, a blog,
        # BusinessWeek, Business Insider)
        ["<p>Von Gregory Lipinski</p>"],
        ["<p>von Klaus-Peter Schöppner, 8.5.12</p>"],
        ["<p>11.09.2011, 16:20 von jovelstefan</p>"],
        ["<p>January 22, 2014</p>"],
        ["<p>mercredi 11 septembre 2019</p>"],
        ["<p>Courtesy G4</p>"],
        ["<p>Illustration by Mike Nudelman</p>"],
        ["<p>| Image: YouTube |</p>"],
        # a share bar's heading in Japanese (AFP's Japanese site), a picture's caption with its
        # credit (FAZ)
        ['<head rend="h2">このニュースをシェア</head>'],
        ["<p>Auch Herbert Grönemeyer gehört zu den Unterstützern. Bild: dpa</p>"],
        ["<p>The new transmitter on the hill above the town (Photo: AP)</p>"],
        # a note that the article was first published elsewhere (VICE)
        ["<p>This article originally appeared on VICE US.</p>"],
        ["<p>Cet article a été initialement publié sur The Conversation.</p>"],
    ],
)
def test_leftovers_at_the_start_are_dropped(head: list[str]) -> None:
    tree = etree.fromstring(f"<body>{''.join(head)}{PROSE}</body>")
    assert trim_head(tree) == len(head)
    assert [child.tag for child in tree] == ["p"]


@pytest.mark.parametrize(
    "start",
    [
        # news about cookies and JavaScript is news
        "<p>Google will stop third-party cookies in Chrome next year, the company said.</p>",
        "<p>JavaScript engines: Mozilla and Google enable a new compiler by default.</p>",
        "<p>Home</p>text after it",  # not alone: the body's text goes on after it
        "<p>ARD / ZDF / RTL: Die Sender einigen sich auf einen Standard.</p>",
        "<p>Main content providers in Europe &gt; the US: streaming leaves linear TV behind.</p>",
        # leads that start like a byline or a date
        "<p>By 2030, the broadcaster will have switched off its last analogue transmitter.</p>",
        "<p>Von Berlin aus steuert der Konzern künftig alle Sender in Europa.</p>",
        "<p>May Day 2026 in Berlin</p>",
        "<p>Courtesy of the regulator, the channels stay on air until the end of the year.</p>",
        # a caption's words in prose; a heading over a section, not over another heading
        "<p>The broadcaster's new logo shows a stylised tower: a picture of strength, it says.</p>",
        '<head rend="h2">Market Insider</head>',
    ],
)
def test_the_articles_own_start_stays(start: str) -> None:
    tree = etree.fromstring(f"<body>{start}{PROSE}</body>")
    before = etree.tostring(tree)
    assert trim_head(tree) == 0
    assert etree.tostring(tree) == before


def test_a_kicker_above_the_headline_goes_and_a_section_heading_stays() -> None:
    """A short heading right above the ``<h1>`` is a kicker or the blog's name (CNBC's "Market
    Insider", revolutionpermanente.fr's "Justice de classe")."""
    tree = etree.fromstring(
        '<body><head rend="h4">Justice de classe</head>'
        f'<head rend="h1">Antonin Bernanos en prison</head>{PROSE}</body>'
    )
    assert trim_head(tree) == 1 and [child.get("rend") for child in tree][:1] == ["h1"]
    section = etree.fromstring(
        '<body><head rend="h2">Part one: the transmitters of the north and their story</head>'
        f'<head rend="h1">Antonin Bernanos en prison</head>{PROSE}</body>'
    )
    assert trim_head(section) == 0


def test_a_section_name_above_the_title_goes_with_an_interface_word_under_it() -> None:
    """die-partei.net heads its post "Neuigkeiten" (an ``<h1>``) above the title in an
    ``<h2>``; MEDEF writes "Business Law" above its headline and "Télécharger" under it."""
    tree = etree.fromstring(
        '<body><head rend="h1">Neuigkeiten</head>'
        f'<head rend="h2">Das Ministerium für Club-Kultur informiert</head>{PROSE}</body>'
    )
    assert trim_head(tree, "Das Ministerium für Club-Kultur informiert") == 1
    assert trim_head(etree.fromstring(etree.tostring(tree)), None) == 0
    medef = etree.fromstring(
        '<body><p>Business Law</p><head rend="h1">Alternative dispute resolution</head>'
        f"<p><hi>Télécharger</hi></p>{PROSE}</body>"
    )
    assert trim_head(medef) == 2
    assert [child.tag for child in medef] == ["head", "p"]
    sentence = etree.fromstring(
        f'<body><p>The court ruled.</p><head rend="h1">Ruling</head>{PROSE}</body>'
    )
    assert trim_head(sentence) == 0


def test_the_terms_of_the_texts_use_leave_the_end() -> None:
    tree = body(
        "<p>Die Rechte sämtlicher Texte sind beim Katholischen Medienzentrum. Jede "
        "Weiterverbreitung ist honorarpflichtig.</p>"
    )
    assert trim_tail(tree) == 1
    wire = body("<p>This material may not be published, broadcast, rewritten or redistributed.</p>")
    assert trim_tail(wire) == 1
    for news in (
        "<p>The court said the material may not be published before the trial.</p>",
        "<p>The judge ruled that the photos may not be reproduced, the lawyer said.</p>",
        "<p>The reproduction of the archive's films was prohibited until 2030.</p>",
    ):
        assert trim_tail(body(news)) == 0, news


def test_a_byline_or_date_right_under_the_headline_goes() -> None:
    tree = etree.fromstring(
        '<body><head rend="h1">Anticorrupción decidirá en Madrid</head>'
        f"<p><hi>Patricio Candia | Palma de Mallorca | 08/01/2014</hi></p>{PROSE}</body>"
    )
    assert trim_head(tree) == 1
    assert [child.tag for child in tree] == ["head", "p"]
    assert "Candia" not in etree.tostring(tree, encoding="unicode")


def test_a_pictures_caption_under_the_headline_and_its_standfirst_goes() -> None:
    """Slate's headline, its standfirst in a heading of its own, then the lead picture's
    caption with the wire's credit ("- Tapie en 2008. REUTERS/Benoit Tessier -"). A sentence
    that ends with a poll's name ("by Reuters/Ipsos.") is the article's."""
    tree = etree.fromstring(
        '<body><head rend="h1">Tapie, Mougeotte et La Provence</head>'
        "<head rend=\"h2\">L'ex-pr\u00e9sident de l'OM s'int\u00e9resserait au quotidien.</head>"
        f"<p>- Tapie en 2008. REUTERS/Benoit Tessier -</p>{PROSE}</body>"
    )
    assert trim_head(tree) == 1
    assert "REUTERS" not in etree.tostring(tree, encoding="unicode")
    poll = etree.fromstring(
        '<body><head rend="h1">Support falls</head>'
        f"<p>Support fell, according to a poll by Reuters/Ipsos.</p>{PROSE}</body>"
    )
    assert trim_head(poll) == 0


@pytest.mark.parametrize(
    "label", ["Updated", "Published on:", "Veröffentlicht am", "Mis à jour le"]
)
def test_a_dates_label_whose_date_is_gone_goes_under_the_headline(label: str) -> None:
    """ABC's "Updated" stood over a timestamp that trafilatura dropped; "Updated figures
    follow." is the article's."""
    tree = etree.fromstring(
        f'<body><head rend="h1">Swimming greats</head><p>{label}</p>{PROSE}</body>'
    )
    assert trim_head(tree) == 1
    assert label not in etree.tostring(tree, encoding="unicode")
    kept = etree.fromstring(
        '<body><head rend="h1">Swimming greats</head><p>Updated figures follow.</p>'
        f"{PROSE}</body>"
    )
    assert trim_head(kept) == 0


@pytest.mark.parametrize(
    ("block", "name"),
    [
        ("<p>Von Gregory Lipinski</p>", "Gregory Lipinski"),
        ("<p>Written by: Julie Mollins</p>", "Julie Mollins"),
        ("<p>11.09.2011, 16:20 von jovelstefan</p>", "jovelstefan"),
        ("<p>January 22, 2014</p>", None),
        ("<p>By 2030, the broadcaster will switch.</p>", None),
    ],
)
def test_the_byline_atop_the_text_names_the_author(block: str, name: str | None) -> None:
    assert leading_byline(etree.fromstring(f"<body>{block}{PROSE}</body>")) == name


def test_an_article_without_an_author_tag_takes_the_byline_atop_its_text() -> None:
    signed = page(before="<p>Von Gregory Lipinski</p>")
    article = extract_article(signed, "https://sender.example/dvb-t2", now=NOW)
    assert article.authors == ("Gregory Lipinski",)
    assert article.text.startswith("Absatz 0:")


@pytest.mark.parametrize(
    ("block", "name"),
    [
        ("<p>-- By Michael Russell Follow @tdmrussell</p>", "Michael Russell"),
        ("<p>\u2014 Von Anna Schmidt</p>", "Anna Schmidt"),
        ("<p>By 2030, the broadcaster will switch.</p>", None),
        ("<p>The tests were run by the regulator.</p>", None),
        ('<head rend="h2">By Michael Russell</head>', None),
    ],
)
def test_the_byline_closing_the_text_names_the_author(block: str, name: str | None) -> None:
    assert closing_byline(etree.fromstring(f"<body>{PROSE}{block}</body>")) == name


def test_a_newsroom_byline_yields_to_the_writer_closing_the_text() -> None:
    """cleveland.com names its "National Desk" in the metadata and its writer on the last
    line: the writer is the author."""
    desk = page(after="<p>-- By Michael Russell Follow @tdmrussell</p>").replace(
        b"<head>", b'<head><meta name="author" content="National Desk">'
    )
    article = extract_article(desk, "https://sender.example/dvb-t2", now=NOW)
    assert article.authors == ("Michael Russell",)
    writer = desk.replace(b"National Desk", b"Jo Roe")
    assert extract_article(writer, "https://sender.example/dvb-t2", now=NOW).authors == ("Jo Roe",)


@pytest.mark.parametrize(
    ("name", "dateline", "dropped"),
    [
        ("CNN", "WASHINGTON (CNN) — Not everyone makes a resolution.", True),
        ("Reuters", "LONDON, May 3 (Reuters) - The regulator fined the broadcaster.", True),
        # a name the next paragraph does not credit; a lead of a few words
        ("Reuters", "The agency said on Monday that its bureau in Kyiv stays open.", False),
        ("Breaking", "LONDON (Reuters) - The regulator fined the broadcaster.", False),
    ],
)
def test_a_wires_name_above_the_dateline_that_credits_it_goes(
    name: str, dateline: str, dropped: bool
) -> None:
    tree = etree.fromstring(f"<body><p>{name}</p><p>{dateline}</p>{PROSE}</body>")
    assert trim_head(tree) == int(dropped)
    assert _first_text(tree) == (dateline if dropped else name)


def _first_text(tree: etree._Element) -> str:
    return "".join(tree[0].itertext())


def test_a_label_over_another_label_goes_and_the_second_stays() -> None:
    """Marketplace's "Episode Teaser Image:" lost its picture; "Episode Description:" heads the
    description under it."""
    tree = etree.fromstring(
        f"<body><p>Episode Teaser Image:</p><p>Episode Description:</p>{PROSE}</body>"
    )
    assert trim_head(tree) == 1
    assert _first_text(tree) == "Episode Description:"
    under_headline = etree.fromstring(
        '<body><head rend="h1">Marketplace Tech for Friday, April 19, 2013</head>'
        f"<p>Episode Teaser Image:</p><p>Episode Description:</p>{PROSE}</body>"
    )
    assert trim_head(under_headline) == 1
    assert "".join(under_headline[1].itertext()) == "Episode Description:"


def test_a_teaser_for_another_article_inside_the_text_goes() -> None:
    """Its headline is another article's: a watch on "colonial art" would match this one."""
    tree = etree.fromstring(
        f"<body>{PROSE}<p>Read more: Looted colonial art: Germany to set up new contact office</p>"
        f"{PROSE}<p>A lire aussi : Notre récit du discours de Martine Aubry</p>{PROSE}"
        "<p>More: the broadcaster will add three channels.</p>"  # the article's own sentence
        "<p>Lesen Sie auch: Die Umstellung</p>und danach mehr"  # text after it: stays
        f"{PROSE}</body>"
    )
    assert drop_inline_teasers(tree) == 2
    texts = ["".join(block.itertext()) for block in tree]
    assert not any(t.startswith(("Read more", "A lire")) for t in texts)
    assert "More: the broadcaster will add three channels." in texts
    assert "Lesen Sie auch: Die Umstellung" in texts


def test_a_box_that_links_another_article_goes() -> None:
    """Le Monde diplomatique quotes its "Lire aussi" box, no colon after the label; a line of
    its own with a separator ("Lire aussi | ...") is one too. In a line of prose, "See also
    the regulator's report" is a sentence and stays."""
    tree = etree.fromstring(
        "<body><quote>Lire aussi Martine Bulard &amp; Sung Il-kwon, \u00ab En Cor\u00e9e, la "
        "politique du rayon de soleil \u00bb, <hi>Le Monde diplomatique</hi>, juin 2018.</quote>"
        f"{PROSE}<p>Lire aussi | Le r\u00e9cit du discours</p>{PROSE}"
        "<p>See also the regulator's report, published on Monday.</p>"
        f"{PROSE}</body>"
    )
    assert drop_inline_teasers(tree) == 2
    texts = ["".join(block.itertext()) for block in tree]
    assert not any(t.startswith("Lire aussi") for t in texts)
    assert "See also the regulator's report, published on Monday." in texts


def test_a_buttons_or_an_ads_label_inside_the_text_goes() -> None:
    """POLITICO's "Continue Reading" stood for a button that unfolded the rest of the article;
    "Story continues below advertisement" and "Advertisement" for an ad slot. A sentence that
    only starts so stays."""
    tree = etree.fromstring(
        f"<body>{PROSE}<p>Continue Reading</p>{PROSE}"
        "<p>Story continues below advertisement</p>"
        f"{PROSE}<p>ADVERTISEMENT</p><p>- Anzeige -</p>{PROSE}"
        "<p>Advertisement revenue fell by a third.</p>"
        "<p>Continue reading the report, the minister said.</p>"
        f"{PROSE}<p>The first part.</p>Continue Reading<p>The second part.</p></body>"
    )
    assert drop_inline_teasers(tree) == 5
    assert "Continue Reading" not in "".join(tree.itertext())
    texts = ["".join(block.itertext()) for block in tree]
    assert not {"Continue Reading", "ADVERTISEMENT", "- Anzeige -"} & set(texts)
    assert "Advertisement revenue fell by a third." in texts
    assert "Continue reading the report, the minister said." in texts
