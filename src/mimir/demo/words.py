"""Word lists the demo newsroom writes with: fictional companies, people, places, technology.

Every name here is invented; any resemblance to a real company or person is a coincidence.
"""

from __future__ import annotations

BROADCASTERS = (
    "Northwind Broadcasting",
    "Harborview Media Group",
    "Crestline Television",
    "Bluewater Public Media",
    "Sentinel Broadcast Holdings",
    "Prairie Sky Television",
    "Meridian Stations",
    "Lakeshore Broadcasting Company",
    "Cascadia Public Television",
    "Granite State Media",
    "Redwood Channel Group",
    "Summit Television Network",
)

EU_BROADCASTERS = (
    "Nordlicht Rundfunk",
    "Télé Horizon",
    "Radiotelevisione Aurora",
    "Kanal Fjord",
    "Alpenwelle TV",
    "Baltica Media",
    "Iberia Visión",
    "Danubia Broadcasting",
    "Rheinland Fernsehen",
    "Hollandse Omroep Groep",
)

VENDORS = (
    "Vectra Signal Systems",
    "Lumenwave Technologies",
    "Orbis Encoding",
    "Kestrel Video Labs",
    "Tessaract Media Systems",
    "Quanta Playout",
    "Helix Transmission",
    "Polaris Video Networks",
    "Arclight Broadcast Solutions",
    "Ferrox Compression",
    "Sable Streaming Technologies",
    "Zenith Headend Systems",
)

OPERATORS = (
    "Tellura Mobile",
    "Vantis Telecom",
    "Corvid Networks",
    "Alvora Mobile",
    "Brightline Wireless",
    "Continental Towers",
)

STREAMERS = (
    "Streamfront",
    "PlayHarbor",
    "Lumo TV",
    "ChannelDeck",
    "Vireo Streaming",
    "OpenAir Plus",
    "Tuneline",
    "Beacon Stream",
)

PLATFORM_NAMES = (
    "Horizon+",
    "Watchpoint",
    "Kite TV",
    "Relay Now",
    "Tidewater Play",
    "Nova Free",
    "Atrium",
    "Pulse Live",
)

STANDARDS_BODIES = (
    "the Advanced Broadcast Forum",
    "the European Media Standards Alliance",
    "the Open Streaming Consortium",
    "the International Video Coding Group",
    "the Media Interoperability Council",
)

FIRST_NAMES = (
    "Amelia",
    "Rafael",
    "Ingrid",
    "Tomás",
    "Priya",
    "Jonas",
    "Helena",
    "Marcus",
    "Sofia",
    "Daniel",
    "Aiko",
    "Lukas",
    "Claire",
    "Mateo",
    "Nadia",
    "Oliver",
    "Yasmin",
    "Henrik",
    "Beatriz",
    "Samuel",
    "Elena",
    "Kwame",
    "Margot",
    "Viktor",
)

LAST_NAMES = (
    "Lindqvist",
    "Okafor",
    "Moreau",
    "Castellano",
    "Brennan",
    "Yamamoto",
    "Dubois",
    "Halvorsen",
    "Novak",
    "Fairbanks",
    "Rossetti",
    "Achterberg",
    "Kowalczyk",
    "Whitmore",
    "Delacroix",
    "Sørensen",
    "Iverson",
    "Marchetti",
    "Oduya",
    "Petrescu",
    "Van Loon",
    "Ashby",
)

JOURNALISTS = (
    "Laura Pennington",
    "Thomas Reiter",
    "Anaïs Leclerc",
    "Michael Osei",
    "Karin Holm",
    "David Achebe",
    "Sarah Whitfield",
    "Jürgen Maas",
    "Camille Fabre",
    "Ruth Calloway",
)

ROLES = (
    "chief technology officer",
    "chief executive officer",
    "vice president of engineering",
    "head of distribution",
    "director of product",
    "chief operating officer",
    "head of streaming",
    "chief financial officer",
)

US_MARKETS = (
    "Denver",
    "Portland",
    "Kansas City",
    "Sacramento",
    "Nashville",
    "Pittsburgh",
    "Albuquerque",
    "Raleigh",
    "Salt Lake City",
    "Milwaukee",
    "Tucson",
    "Omaha",
    "Boise",
    "Tulsa",
)

EU_COUNTRIES = (
    "Germany",
    "France",
    "Italy",
    "Spain",
    "the Netherlands",
    "Austria",
    "Denmark",
    "Poland",
    "Sweden",
    "Portugal",
    "Belgium",
    "Finland",
)

EU_CITIES = (
    "Munich",
    "Lyon",
    "Turin",
    "Valencia",
    "Rotterdam",
    "Vienna",
    "Aarhus",
    "Kraków",
    "Gothenburg",
    "Porto",
    "Ghent",
    "Tampere",
)

REGIONS = (
    "North America",
    "the Nordics",
    "Latin America",
    "the DACH region",
    "Southeast Asia",
    "the UK and Ireland",
    "Central Europe",
    "Australia and New Zealand",
)

CODECS = ("VVC", "AV1", "LCEVC", "HEVC")

CODEC_DETAILS = {
    "VVC": "Versatile Video Coding, the H.266 successor to HEVC",
    "AV1": "the royalty-free AV1 format developed by the Alliance for Open Media",
    "LCEVC": "MPEG-5 LCEVC, an enhancement layer that sits on top of an existing base codec",
    "HEVC": "High Efficiency Video Coding (H.265)",
}

STANDARDS = (
    "ATSC A/331 signalling",
    "DVB-I service discovery",
    "SMPTE ST 2110 transport",
    "DVB-NIP native IP delivery",
    "CMAF low-latency packaging",
    "HDR10+ dynamic metadata",
    "the 5G Broadcast profile of 3GPP Release 17",
    "the C2PA content credentials specification",
)

GENRES = (
    "classic movies",
    "true crime",
    "cooking",
    "retro sports",
    "news",
    "kids animation",
    "reality",
    "nature documentaries",
    "westerns",
    "comedy",
)

SPORTS_EVENTS = (
    "the regional football cup",
    "a national ice hockey final",
    "the winter athletics tour",
    "a professional basketball season",
    "the European handball championship",
)

DEAL_AMOUNTS = (85, 120, 240, 310, 475, 650, 890, 1200, 1450)

SECTIONS = {
    "atsc3": "Distribution",
    "dvbi": "Distribution",
    "5gb": "Distribution",
    "streaming": "Streaming",
    "fast": "Streaming",
    "codec": "Technology",
    "merger": "Business",
    "people": "People",
    "standard": "Standards",
    "results": "Business",
}

KEYWORDS = {
    "atsc3": ("ATSC 3.0", "NextGen TV", "broadcast"),
    "dvbi": ("DVB-I", "hybrid TV", "broadcast"),
    "5gb": ("5G Broadcast", "mobile", "broadcast"),
    "streaming": ("streaming", "OTT", "launch"),
    "fast": ("FAST", "free ad-supported TV", "streaming"),
    "codec": ("video coding", "compression", "encoding"),
    "merger": ("M&A", "acquisition", "business"),
    "people": ("appointments", "leadership", "people"),
    "standard": ("standards", "interoperability", "specification"),
    "results": ("financial results", "earnings", "business"),
}
