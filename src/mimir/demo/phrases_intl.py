"""German and French sentence templates: a few demo articles are not in English."""

# ruff: noqa: RUF001  (typographic quotes and apostrophes are the point of real copy)

from __future__ import annotations

INTL_TOPICS = ("dvbi", "5gb", "streaming", "people")

HEADLINES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "dvbi": (
            "{company} startet DVB-I-Pilotprojekt in {eu_city}",
            "DVB-I im Test: {company} bündelt Rundfunk und Streaming in einer Senderliste",
        ),
        "5gb": (
            "{company} und {partner} testen 5G Broadcast in {eu_city}",
            "Fernsehen ohne SIM-Karte: 5G-Broadcast-Versuch in {eu_city} gestartet",
        ),
        "streaming": (
            "{company} startet Streamingdienst {platform} in {region_de}",
            "{platform}: {company} setzt auf Bündelangebote",
        ),
        "people": (
            "{person} wird {role_de} bei {company}",
            "Personalie: {company} holt {person} als {role_de}",
        ),
    },
    "fr": {
        "dvbi": (
            "{company} lance un pilote DVB-I à {eu_city}",
            "DVB-I : {company} réunit chaînes hertziennes et streaming dans une même liste",
        ),
        "5gb": (
            "{company} et {partner} testent la 5G Broadcast à {eu_city}",
            "La télévision sans carte SIM : essai de 5G Broadcast à {eu_city}",
        ),
        "streaming": (
            "{company} lance la plateforme de streaming {platform}",
            "Streaming : {company} dévoile {platform} et mise sur les offres groupées",
        ),
        "people": (
            "{person} nommé {role_fr} de {company}",
            "Nomination : {company} confie à {person} le poste de {role_fr}",
        ),
    },
}

LEAD: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "dvbi": (
            "{company} hat in {eu_city} ein Pilotprojekt für DVB-I gestartet, bei dem "
            "lineare Programme aus Antenne, Satellit und Internet in einer gemeinsamen, "
            "standardisierten Senderliste erscheinen.",
        ),
        "5gb": (
            "{company} und {partner} haben in {eu_city} einen Versuch mit 5G Broadcast "
            "begonnen, bei dem Fernsehprogramme direkt auf geeignete Smartphones und Tablets "
            "übertragen werden, ganz ohne Mobilfunkvertrag.",
        ),
        "streaming": (
            "{company} hat den Streamingdienst {platform} gestartet, der zum Auftakt "
            "mehr als {titles} Stunden Programm sowie mehrere Live-Kanäle bietet und "
            "auf Smart-TVs, Mobilgeräten und im Browser verfügbar ist.",
        ),
        "people": (
            "{company} hat {person} mit Wirkung zum {month_de} zum {role_de} ernannt; "
            "{person} wechselt von {partner}, wo {pronoun_de} zuletzt die Bereiche "
            "Sendetechnik und Streaming verantwortete.",
        ),
    },
    "fr": {
        "dvbi": (
            "{company} a lancé à {eu_city} un projet pilote DVB-I qui présente les chaînes "
            "diffusées par voie hertzienne, par satellite et par internet dans une seule "
            "liste de services normalisée.",
        ),
        "5gb": (
            "{company} et {partner} ont lancé à {eu_city} un essai de 5G Broadcast qui "
            "permet de recevoir des chaînes de télévision en direct sur des smartphones "
            "compatibles, sans abonnement mobile.",
        ),
        "streaming": (
            "{company} a lancé la plateforme de streaming {platform}, qui propose dès "
            "son ouverture plus de {titles} heures de programmes ainsi que plusieurs "
            "chaînes en direct sur téléviseurs connectés, mobiles et navigateurs.",
        ),
        "people": (
            "{company} a nommé {person} au poste de {role_fr} à compter du {month_fr} ; "
            "{person} rejoint l’entreprise après plusieurs années chez {partner}, où "
            "{pronoun_fr} dirigeait les équipes de diffusion et de streaming.",
        ),
    },
}

BODY: dict[str, tuple[str, ...]] = {
    "de": (
        "Nach Angaben des Unternehmens nehmen zunächst rund {homes} Haushalte an dem Projekt teil, "
        "das über einen Zeitraum von {weeks} Wochen wissenschaftlich begleitet wird.",
        "Technischer Partner ist {partner}, der die zentrale Plattform, die Überwachung und die "
        "Integration in die Geräte mehrerer Hersteller liefert.",
        "Die Zuschauer sollen von dem neuen Angebot nichts Kompliziertes bemerken: Das Gerät wählt "
        "automatisch den besten verfügbaren Übertragungsweg aus.",
        "„Wir wollen zeigen, dass lineares Fernsehen auch in einer vernetzten Welt einfach und "
        "zuverlässig bleibt“, sagte {person}, {role_de} bei {company}.",
        "„Die ersten Rückmeldungen aus dem Testbetrieb sind sehr ermutigend“, ergänzte {person2} "
        "von {partner}.",
        "Branchenbeobachter sehen in dem Projekt einen wichtigen Schritt hin zu einer hybriden "
        "Verbreitung, bei der Rundfunk und Breitband einander ergänzen.",
        "Gleichzeitig wächst der Druck auf die Sender, ihr Publikum auf allen Bildschirmen zu "
        "erreichen, während die klassische Antennennutzung langsam zurückgeht.",
        "Die Regulierungsbehörden beobachten den Versuch aufmerksam, denn offen ist noch, wie die "
        "Auffindbarkeit öffentlich-rechtlicher Angebote künftig gesichert werden kann.",
        "Auch die Frequenzfrage spielt eine Rolle: Das UHF-Band ist begehrt, und Mobilfunk und "
        "Rundfunk ringen seit Jahren um seine künftige Nutzung.",
        "Die Kosten für das Projekt teilen sich die beteiligten Partner; Fördermittel des Landes "
        "decken einen Teil der Ausgaben für die Sendetechnik.",
        "Nach Abschluss der ersten Phase sollen die Ergebnisse im {month_de} auf einer "
        "Fachtagung in {eu_city} vorgestellt werden.",
        "Eine zweite Phase könnte das Angebot auf weitere Regionen ausdehnen, sofern die "
        "Finanzierung gesichert ist und die Behörden zustimmen.",
        "Die Gerätehersteller haben die nötige Software als Update bereitgestellt, sodass keine "
        "zusätzliche Empfangsbox benötigt wird.",
        "Besonders bei großen Sportereignissen soll sich zeigen, ob die Technik auch unter hoher "
        "Last stabil und mit geringer Verzögerung funktioniert.",
        "Kritiker geben zu bedenken, dass frühere Technologiewechsel im Fernsehen deutlich länger "
        "gedauert haben, als ihre Befürworter erwartet hatten.",
        "{company} beschäftigt rund {staff} Mitarbeiterinnen und Mitarbeiter und hat seinen Sitz "
        "in {hq}.",
        "Die Analysten von {research} erwarten, dass der Markt für Rundfunk- und "
        "Streamingtechnik in den kommenden Jahren um etwa {pct} Prozent jährlich wächst.",
        "Für die Werbewirtschaft ist vor allem interessant, dass sich auf vernetzten Fernsehern "
        "zielgerichtete Werbung mit der Reichweite des klassischen Fernsehens verbinden lässt.",
        "Der Datenschutz wurde nach Angaben der Partner von Anfang an berücksichtigt; persönliche "
        "Nutzungsdaten werden nur mit ausdrücklicher Einwilligung erhoben.",
        "Weitere Einzelheiten zu Preisen und Verfügbarkeit in anderen Märkten wurden noch nicht "
        "bekannt gegeben.",
        "Das Unternehmen will seine technischen Unterlagen auch anderen Organisationen zur "
        "Verfügung stellen, die einen ähnlichen Weg gehen möchten.",
        "Der Energieverbrauch der Sendernetze gehört inzwischen zu den größten Kostenblöcken der "
        "Branche, weshalb effizientere Technik auch wirtschaftlich attraktiv ist.",
    ),
    "fr": (
        "Selon l’entreprise, environ {homes} foyers participent dans un premier temps au projet, "
        "qui fera l’objet d’un suivi pendant {weeks} semaines.",
        "Le partenaire technique est {partner}, qui fournit la plateforme centrale, la "
        "supervision et l’intégration dans les téléviseurs de plusieurs fabricants.",
        "Pour le téléspectateur, rien ne change en apparence : l’appareil choisit "
        "automatiquement le meilleur mode de réception disponible.",
        "« Nous voulons montrer que la télévision linéaire peut rester simple et fiable dans un "
        "monde connecté », a déclaré {person}, {role_fr} de {company}.",
        "« Les premiers retours de la phase de test sont très encourageants », a ajouté {person2} "
        "chez {partner}.",
        "Les observateurs du secteur y voient une étape importante vers une diffusion hybride, "
        "dans laquelle la radiodiffusion et le haut débit se complètent.",
        "Dans le même temps, les chaînes doivent atteindre leur public sur tous les écrans, alors "
        "que la réception par antenne recule lentement.",
        "Les régulateurs suivent l’essai de près, car la question de la visibilité des services "
        "publics sur les plateformes connectées reste ouverte.",
        "La question des fréquences joue aussi un rôle : la bande UHF est convoitée, et les "
        "opérateurs mobiles et les diffuseurs se disputent son usage futur.",
        "Les coûts du projet sont partagés entre les partenaires, et une aide régionale couvre "
        "une partie des dépenses liées aux émetteurs.",
        "Les résultats de la première phase seront présentés en {month_fr} lors d’une conférence "
        "professionnelle à {eu_city}.",
        "Une deuxième phase pourrait étendre le service à d’autres régions, sous réserve de "
        "financement et de l’accord des autorités.",
        "Les fabricants ont mis à disposition une mise à jour logicielle, si bien qu’aucun "
        "décodeur supplémentaire n’est nécessaire.",
        "Les grands événements sportifs permettront de vérifier si la technologie reste stable "
        "et réactive lorsque l’audience est très forte.",
        "Certains experts restent prudents et rappellent que les précédentes transitions "
        "technologiques de la télévision ont pris bien plus de temps que prévu.",
        "{company} emploie environ {staff} personnes et a son siège à {hq}.",
        "Les analystes de {research} prévoient une croissance d’environ {pct} % par an du marché "
        "des technologies de diffusion et de streaming.",
        "Pour les annonceurs, la télévision connectée permet de combiner le ciblage du numérique "
        "avec l’audience de la télévision classique.",
        "La protection des données a été prise en compte dès le départ ; les données d’usage ne "
        "sont collectées qu’avec le consentement explicite des utilisateurs.",
        "Les prix et la disponibilité sur d’autres marchés n’ont pas encore été communiqués.",
        "L’entreprise compte partager sa documentation technique avec d’autres organisations "
        "souhaitant suivre la même démarche.",
        "La consommation d’énergie des réseaux de diffusion figure désormais parmi les premiers "
        "postes de dépenses du secteur, ce qui rend les technologies plus efficaces attractives.",
    ),
}

ROLES = {
    "de": ("Technikchef", "Geschäftsführer", "Leiter der Distribution", "Produktchef"),
    "fr": (
        "directeur technique",
        "directeur général",
        "directeur de la distribution",
        "directeur produit",
    ),
}

MONTHS = {
    "de": ("März", "April", "Juni", "September", "Oktober", "November"),
    "fr": ("mars", "avril", "juin", "septembre", "octobre", "novembre"),
}

REGIONS_DE = ("Deutschland, Österreich und der Schweiz", "Skandinavien", "Mitteleuropa")
