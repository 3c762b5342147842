"""English sentence templates of the demo newsroom, one group per story topic plus shared pools.

Slots such as ``{company}`` are filled from one story context so names stay consistent.
"""

# ruff: noqa: RUF001  (typographic quotes and apostrophes are the point of real copy)

from __future__ import annotations

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "atsc3": {
        "headlines": (
            "{company} switches on ATSC 3.0 in {city}",
            "{city} viewers get NextGen TV as {company} lights up its transmitters",
            "{company} and {partner} complete ATSC 3.0 conversion in {city}",
            "NextGen TV arrives in {city}: {company} starts ATSC 3.0 service",
        ),
        "lead": (
            "{company} has switched on ATSC 3.0 service in {city}, bringing NextGen TV to an "
            "estimated {homes} households in the market.",
            "The launch makes {city} the latest US market to host a lighthouse station, with "
            "{stations} local channels sharing a single ATSC 3.0 transmitter.",
            "Engineers at {company} worked with {partner} for {weeks} weeks to replace exciters, "
            "reconfigure the multiplex and verify coverage across the metropolitan area.",
        ),
        "detail": (
            "The new signal carries 1080p HDR video, Dolby AC-4 "
            "audio with dialogue enhancement and "
            "an interactive layer that lets viewers restart programmes already in progress.",
            "Legacy ATSC 1.0 viewers are not affected, because "
            "the partner stations simulcast their "
            "primary channels on the remaining 1.0 transmitters under the host agreement.",
            "{partner} supplied the broadcast gateway, the ROUTE/DASH packager and the "
            "monitoring stack that checks signalling on every service around the clock.",
            "The station also plans to use the datacasting capacity for emergency alerts with rich "
            "media, a feature local officials in {city} asked for after last year’s storms.",
            "According to {company}, the transmitter runs at an effective radiated power of "
            "{power} kilowatts and reaches viewers up to {distance} miles from the tower.",
        ),
    },
    "dvbi": {
        "headlines": (
            "{company} starts DVB-I pilot in {country}",
            "DVB-I trial in {country}: {company} tests hybrid service lists with {partner}",
            "{company} brings broadcast and streaming channels together in DVB-I pilot",
            "{country} gets its first DVB-I service list as {company} pilot goes live",
        ),
        "lead": (
            "{company} has started a DVB-I pilot in {country}, presenting broadcast and "
            "internet-delivered channels in a single, standardised channel list.",
            "The pilot covers around {homes} connected televisions in and around {eu_city} and "
            "will run for {weeks} weeks before the partners publish their findings.",
            "Viewers taking part see linear channels from terrestrial, satellite and broadband "
            "sources side by side, with the television choosing the best available delivery path.",
        ),
        "detail": (
            "{partner} provides the central service list registry and the client integration for "
            "several television brands taking part in the trial.",
            "The service list follows the DVB-I specification and includes logos, programme "
            "guide data and content guide links for every participating channel.",
            "A key question for the pilot is how regulators can guarantee the prominence of "
            "public-service channels when the list is delivered over the open internet.",
            "The partners will also measure channel-change times, which have historically been "
            "slower for streamed channels than for their broadcast equivalents.",
            "Manufacturers in the trial have implemented the DVB-I client as a firmware update, so "
            "no additional set-top box is required.",
        ),
    },
    "5gb": {
        "headlines": (
            "{company} and {partner} trial 5G Broadcast in {eu_city}",
            "5G Broadcast test in {eu_city} delivers live TV to phones without a SIM",
            "{company} lights up 5G Broadcast network for {sport}",
            "{partner} and {company} show free-to-air TV on smartphones in 5G Broadcast trial",
        ),
        "lead": (
            "{company} and {partner} have started a 5G Broadcast trial in {eu_city}, delivering "
            "live television channels directly to compatible smartphones and tablets.",
            "Unlike unicast streaming, the signal does not depend on how many people are watching, "
            "which the partners say makes it suitable for major live events.",
            "The trial uses {stations} high-power, high-tower "
            "sites operated by {company}, covering "
            "most of the metropolitan area and the main commuter routes.",
        ),
        "detail": (
            "Receiving the service requires neither a SIM card nor a mobile subscription, in line "
            "with the receive-only mode defined in 3GPP Release 17.",
            "Test devices were supplied by two handset makers that have added 5G Broadcast "
            "reception to prototype chipsets.",
            "During {sport}, the partners will compare picture quality and start-up delay with the "
            "same channels delivered over the regular mobile network.",
            "The spectrum comes from the UHF band currently used for terrestrial television, under "
            "a temporary licence granted by the national regulator.",
            "Both companies stressed that 5G Broadcast is meant to complement, not replace, "
            "existing terrestrial television.",
        ),
    },
    "streaming": {
        "headlines": (
            "{company} launches {platform} streaming service in {region}",
            "{platform} goes live: {company} bets on bundles in {region}",
            "{company} unveils {platform}, a new streaming platform for {region}",
            "Streaming newcomer {platform} from {company} opens to subscribers in {region}",
        ),
        "lead": (
            "{company} has launched {platform}, a subscription streaming service available across "
            "{region} on smart TVs, mobile devices and the web.",
            "The service opens with more than {titles} hours of programming, including "
            "{genre} and {genre2}, and a handful of live channels.",
            "Pricing starts at {price} per month for an ad-supported tier, with an ad-free plan "
            "offered at a premium.",
        ),
        "detail": (
            "{partner} built the video platform behind the service, including the encoding "
            "pipeline, the DRM integration and the recommendation engine.",
            "The company says the apps were designed for fast start-up, with the first frame "
            "appearing in under a second on most devices.",
            "{platform} will also be offered through telecom bundles, a route that has driven "
            "most subscriber growth for rival services in the region.",
            "Content is encoded in {codec} where devices support it, cutting delivery costs for "
            "the high-bitrate 4K catalogue.",
            "A download feature for offline viewing will follow "
            "later in the year, the company said.",
        ),
    },
    "fast": {
        "headlines": (
            "{company} adds {n} FAST channels to its free streaming line-up",
            "{company} expands FAST offering with {n} new channels from {partner}",
            "FAST growth continues as {company} launches {n} free ad-supported channels",
            "{partner} brings {genre} channels to {company}’s FAST platform",
        ),
        "lead": (
            "{company} is adding {n} free ad-supported streaming "
            "television channels, known as FAST "
            "channels, to its platform in {region}.",
            "The new channels come from {partner} and focus on {genre}, {genre2} and local "
            "news, categories that the company says perform best with its viewers.",
            "With the additions, the platform carries more than {titles} linear channels, all "
            "available without registration.",
        ),
        "detail": (
            "Each channel is assembled from library content with server-side ad insertion, which "
            "lets advertisers buy audiences across the full channel list.",
            "The company reported that average viewing time per session rose by {pct} percent "
            "over the past year, driven by genre channels.",
            "Programme guide data for the new channels is delivered in the same format as for "
            "broadcast services, so they appear alongside traditional channels on smart TVs.",
            "Industry analysts expect FAST advertising revenue to keep growing as connected TV "
            "reaches more households than linear pay television.",
            "{partner} will handle scheduling and content rights for the channels, while "
            "{company} manages distribution and ad sales.",
        ),
    },
    "codec": {
        "headlines": (
            "{company} ships {codec} encoder for live sports",
            "{company} claims {pct}% bitrate savings with new {codec} encoder",
            "{partner} deploys {company}’s {codec} encoding for 4K streams",
            "{codec} moves into production as {company} releases live encoder",
        ),
        "lead": (
            "{company} has released a live {codec} encoder aimed at sports and event streaming, "
            "claiming bitrate savings of around {pct} percent at the same visual quality.",
            "{codec}, {codec_detail}, has been gaining traction as streaming services look for "
            "ways to reduce delivery costs for 4K and HDR content.",
            "The encoder runs on standard servers and in public cloud instances, and can produce "
            "an adaptive bitrate ladder from a single contribution feed.",
        ),
        "detail": (
            "{partner} has been testing the encoder on its live channels and plans to move "
            "{stations} of them to the new codec by the end of the quarter.",
            "Device support remains the main constraint: only recent smart TVs and phones decode "
            "{codec} in hardware, so services will keep older formats in parallel for years.",
            "The company said the encoder reaches real-time performance for 2160p at 60 frames "
            "per second on a single dual-socket server.",
            "Independent tests using VMAF scores confirmed the savings on fast-moving sports "
            "content, where compression artefacts are most visible.",
            "Licensing terms for the codec were cited by several operators as a factor in their "
            "adoption plans.",
        ),
    },
    "merger": {
        "headlines": (
            "{company} to acquire {partner} for ${amount} million",
            "{company} agrees deal to buy {partner}",
            "{partner} sold to {company} in ${amount} million deal",
            "Consolidation continues: {company} snaps up {partner}",
        ),
        "lead": (
            "{company} has agreed to acquire {partner} in a transaction valued at about "
            "${amount} million, the companies announced.",
            "The deal brings together two suppliers of broadcast and streaming technology and is "
            "expected to close in the {half} of {year}, subject to regulatory approvals.",
            "{partner}’s products will continue to be sold under their existing brand for the "
            "time being, according to the announcement.",
        ),
        "detail": (
            "The combined company will have around {staff} employees and customers in more than "
            "{countries} countries.",
            "{company} said the acquisition strengthens its position in cloud-based playout and "
            "live production, where customers increasingly want a single supplier.",
            "The purchase price will be paid in cash and financed from existing credit facilities.",
            "{partner} reported revenue of about ${revenue} million in its last financial year, "
            "with most of it coming from recurring software subscriptions.",
            "Both boards have approved the transaction, and the management team of {partner} "
            "will join {company}.",
        ),
    },
    "people": {
        "headlines": (
            "{company} names {person} as {role}",
            "{person} joins {company} as {role}",
            "{company} appoints {person} {role}",
            "Leadership change at {company}: {person} becomes {role}",
        ),
        "lead": (
            "{company} has appointed {person} as {role}, effective {month}.",
            "{person} joins from {partner}, where {pronoun} spent {years} years leading teams in "
            "broadcast engineering and streaming operations.",
            "In the new role {pronoun} will report to the chief executive and oversee the "
            "company’s technology roadmap.",
        ),
        "detail": (
            "{person} succeeds {person2}, who is leaving the company after a decade to pursue "
            "other interests.",
            "Earlier in {possessive} career, {person} worked on the launch of several national "
            "streaming services and on the migration of playout to IP.",
            "The appointment follows a reorganisation that merged the company’s broadcast and "
            "digital technology groups into one unit.",
            "{person} is a regular speaker at industry conferences and has contributed to "
            "standards work on low-latency streaming.",
            "{company} said the search for the role took several months and included internal "
            "and external candidates.",
        ),
    },
    "standard": {
        "headlines": (
            "{body_title} adopts {standard} as a formal specification",
            "Industry backs {standard}: {body_title} publishes final version",
            "{standard} approved, clearing the way for interoperable products",
            "{partner} among first to support {standard} after {body} vote",
        ),
        "lead": (
            "{body_title} has formally adopted {standard}, completing a process that took more "
            "than {years} years of technical work.",
            "Members voted to approve the specification at a plenary meeting in {eu_city}, with "
            "broad support from broadcasters, manufacturers and service providers.",
            "The publication means product makers can now claim conformance against a stable "
            "version of the document.",
        ),
        "detail": (
            "{partner} said it would ship products supporting {standard} within months and "
            "offered to host interoperability tests.",
            "A conformance test suite is being developed in parallel and should be available "
            "to members by the end of the year.",
            "The specification was written with input from {stations} member organisations and "
            "went through two rounds of public comments.",
            "Regulators in several countries have indicated they may reference the standard in "
            "future licensing conditions.",
            "An accompanying implementation guide explains how to migrate existing systems "
            "without disrupting services on air.",
        ),
    },
    "results": {
        "headlines": (
            "{company} reports {quarter} revenue up {pct}%",
            "{company} {quarter} results: streaming growth offsets weaker advertising",
            "{company} raises outlook after strong {quarter}",
            "Streaming and software lift {company} in {quarter}",
        ),
        "lead": (
            "{company} reported {quarter} revenue of ${revenue} million, up {pct} percent from "
            "the same period a year earlier.",
            "Growth was driven by streaming and software subscriptions, which now account for "
            "more than half of total revenue.",
            "Operating margin improved by {pct2} percentage points as the company reduced "
            "hardware costs and consolidated its data centres.",
        ),
        "detail": (
            "Advertising revenue from linear channels declined slightly, reflecting a weaker "
            "market for national television campaigns.",
            "The company raised its full-year outlook and now expects revenue growth in the high "
            "single digits.",
            "Net cash at the end of the quarter stood at ${amount} million, giving the company "
            "room for further acquisitions.",
            "Management highlighted a growing pipeline of cloud playout projects with "
            "broadcasters in {region}.",
            "Shares rose in early trading after the figures were published.",
        ),
    },
}

QUOTES_INTRO: tuple[str, ...] = (  # the first quote names the speaker and their role
    "“This is a milestone for our viewers and for the whole market,” said {person}, {role} at "
    "{company}. “We have shown that the technology is ready for everyday use.”",
    "“We chose to work with partners who have already proven their systems on air,” said "
    "{person}, {role} at {company}. “That let us move from lab tests to a live service in weeks "
    "rather than months.”",
    "{person}, {role} at {company}, called the announcement “an important step for everyone "
    "who still believes in free-to-air television”.",
)

QUOTES: tuple[str, ...] = (
    "“Our audience expects the same quality on every screen, whether the signal arrives over "
    "the air or over the internet,” {person} said.",
    "{person2}, {role2} at {partner}, described the project as “a blueprint that other "
    "companies can follow”.",
    "“The numbers speak for themselves,” said {person2}, {role2} at {partner}. “Once people try "
    "it, they do not want to go back.”",
    "“We are not doing this for the press release,” {person} added. “We are doing it because "
    "it lowers our costs and gives viewers something better.”",
    "Asked about the timing, {person} said the company had “waited until the ecosystem was "
    "mature enough to support a commercial launch”.",
)

CONTEXT: tuple[str, ...] = (
    "Broadcasters around the world are under pressure to reach audiences that increasingly "
    "watch on connected devices rather than through a traditional antenna or cable box.",
    "At the same time, spectrum is becoming more valuable, and regulators are asking how the "
    "UHF band should be shared between television and mobile services.",
    "Industry groups have argued that open standards are the only way to avoid a fragmented "
    "market in which every manufacturer builds its own proprietary solution.",
    "The move comes as media companies consolidate their technology spending and look for "
    "suppliers that can cover both broadcast and streaming workflows.",
    "Cloud-based production and playout have moved from experiments to everyday operations "
    "over the past three years, particularly for smaller channels.",
    "Energy costs have also become a factor, with transmitter networks and data centres "
    "among the largest items in a broadcaster’s operating budget.",
    "Audience measurement remains a challenge, because viewing is now spread across linear "
    "channels, catch-up services, FAST channels and on-demand libraries.",
    "Several public broadcasters have published strategies that foresee a gradual move to "
    "IP-based distribution over the next decade.",
    "Consumer electronics makers, for their part, want fewer regional variants of their "
    "software and welcome specifications that work in many countries.",
    "Advertisers have followed viewers to connected TV, where addressable ads can be sold "
    "with the targeting of digital media and the reach of television.",
    "Sports rights continue to shape the market, with live events often used to test new "
    "delivery technologies under real load.",
    "Security and content protection requirements from rights holders add complexity to "
    "every new distribution path.",
)

ANALYST: tuple[str, ...] = (
    "Analysts at {research} said the announcement fits a broader trend towards hybrid "
    "distribution, in which broadcast and broadband complement each other.",
    "“The economics only work at scale,” said an industry analyst who follows the sector. "
    "“Everyone is watching whether the early adopters can turn pilots into revenue.”",
    "{research} estimates that the market for broadcast and streaming infrastructure will "
    "grow by around {pct} percent a year until the end of the decade.",
    "Some observers remain cautious, pointing out that previous technology transitions in "
    "television took far longer than their promoters expected.",
    "Research from {research} suggests that viewers rarely notice the delivery technology as "
    "long as the picture starts quickly and does not buffer.",
)

NEXT_STEPS: tuple[str, ...] = (
    "The companies plan to publish results from the first phase in {month}, followed by a "
    "decision on a wider roll-out.",
    "Further announcements are expected at the industry’s major trade show later this year.",
    "{company} said it would share technical documentation with other organisations interested "
    "in following the same approach.",
    "A second phase would extend the work to {region}, subject to funding and regulatory approval.",
    "Details on pricing and availability for other markets have not yet been announced.",
    "The next milestone is a public demonstration scheduled for {month} in {eu_city}.",
)

ABOUT: tuple[str, ...] = (
    "{company} is headquartered in {hq} and employs about {staff} people.",
    "Founded in {founded}, {company} supplies technology and services to media companies in "
    "more than {countries} countries.",
    "{partner} was founded in {founded2} and counts broadcasters, telecom operators and "
    "streaming services among its customers.",
)

UPDATES: tuple[str, ...] = (
    "Update ({stamp} UTC): {company} has confirmed that the schedule is unchanged and that "
    "further details will be shared with customers next week.",
    "Update ({stamp} UTC): A spokesperson for {partner} said the company was “very pleased "
    "with the first results” but declined to give figures.",
    "Update ({stamp} UTC): This article has been updated with additional comments from "
    "{person} and a correction to the number of participating stations.",
    "Update ({stamp} UTC): Regulators have acknowledged receipt of the filing; a decision is "
    "expected within the statutory review period.",
)

RESEARCH_FIRMS = (
    "Brightwater Research",
    "Meridian Insight",
    "Parallax Analytics",
    "Signal & Screen Research",
)

HQ_CITIES = ("Boston", "Amsterdam", "Munich", "Austin", "Toronto", "Copenhagen", "Lyon", "Leeds")
