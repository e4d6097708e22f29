#!/usr/bin/env python3
"""Deterministic dataset for the memory benchmark (Caxton vs MCP reference memory server).

Usage: gen-dataset.py OUT.json [--entities 10000] [--relations 5000] [--queries 1000] [--seed 20261127]

Writes {"entities": [...], "relations": [...], "queries": [...], "query_kinds": [...],
        "semantic_checks": [{"query", "expect_entity"}], "meta": {...}}.

* Observations: two short English sentences per entity, from per-topic templates
  (pets, cooking, software, travel, finance), plus 20 hand-written "anchor" entities on
  distinctive topics (beekeeping, luthiery, ...) used by the semantic checks.
* Queries: half "lexical" (1 or 2 keywords taken from the observation vocabulary),
  half "paraphrase" (no token in common with ANY observation, entity name or type;
  checked below, generation fails otherwise).
* semantic_checks: 20 queries whose expected (anchor) entity shares no token with them.
Only random.Random(seed) is used, and no set is ever iterated, so the output is
byte-identical across runs and machines (Python >= 3.7).
"""
import argparse
import hashlib
import json
import random
import re
import sys

TOK = re.compile(r"[a-z0-9]+")


def toks(s):
    return TOK.findall(s.lower())


FIRST = ("Maya Liam Noah Emma Olivia Ava Ethan Lucas Mia Amelia Harper Elijah Mateo Aria Levi Nora Ezra Ivy "
         "Hugo Chloe Felix Zoe Oscar Leah Jonas Clara Tomas Ingrid Ravi Priya Kenji Yuki Amara Tariq Sofia "
         "Diego Lena Anton Mirela Omar Fatima Kwame Ada Bruno Elif Sven Dana Marco Nadia Pavel Ines Hamid Greta "
         "Rafael Selin Arjun Keiko Lars Wanda Emil").split()
LAST = ("Chen Garcia Novak Okafor Silva Kowalski Tanaka Moreau Jensen Rossi Haddad Petrov Nguyen Schmidt Kaur "
        "Larsen Ibrahim Costa Dubois Fischer Suzuki Mensah Horvat Lindqvist Alvarez Park Weber Ozturk Bianchi "
        "Ivanova Nakamura Santos Keller Adeyemi Morales Eriksen Patel Yilmaz Varga Dalton Quinn Barros Lucero "
        "Holm Ferreira Kovac Sato Rahman Brandt Achterberg").split()

# ---- template topics ------------------------------------------------------------------
TOPICS = {
    "pets": {
        "slots": {
            "animal": "cat dog puppy kitten parrot rabbit hamster goldfish tortoise ferret".split(),
            "pet": "Miso Biscuit Luna Pepper Ziggy Noodle Mochi Rocket Pickles Bella".split(),
            "activity": ["chasing laser pointers", "chewing tennis balls", "napping in the sun",
                         "playing fetch in the park", "hiding under the bed", "climbing the curtains",
                         "purring on the sofa", "barking at the mailman"],
            "vetthing": ["vaccinations", "a dental checkup", "flea treatment", "nail trimming",
                         "a weight check", "deworming pills"],
            "food": ["grain-free kibble", "wet food", "fresh carrots", "salmon treats", "seed mix",
                     "dried crickets"],
            "period": ["month", "six months", "year", "spring"],
            "age": ["young", "senior", "two year old", "shy", "playful"],
            "count": ["two", "three", "four"],
            "place": ["block", "lake", "neighborhood park", "river path"],
        },
        "templates": [
            "Has a {animal} named {pet} that loves {activity}.",
            "Their {animal} {pet} visits the vet every {period} for {vetthing}.",
            "Buys {food} for the {animal} from the pet shop.",
            "Adopted a {age} {animal} from the local shelter last {period}.",
            "Walks the {animal} {count} times a day around the {place}.",
            "The {animal} {pet} is afraid of thunder and fireworks.",
        ],
    },
    "cooking": {
        "slots": {
            "dish": ["lasagna", "chicken curry", "mushroom risotto", "beef stew", "pad thai", "tomato soup",
                     "fish tacos", "vegetable stir fry", "apple pie", "pancakes", "ramen", "paella"],
            "ingredient": "garlic basil ginger cumin lemon coriander paprika butter chili saffron".split(),
            "weekday": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
            "source": ["cooking class", "grandmother", "YouTube video", "cookbook", "chef friend"],
            "tool": ["cast iron skillet", "pressure cooker", "wok", "stand mixer", "slow cooker",
                     "air fryer"],
        },
        "templates": [
            "Cooks {dish} with extra {ingredient} every {weekday}.",
            "Learned to make {dish} from a {source}.",
            "Avoids {ingredient} because of an allergy.",
            "Owns a {tool} and uses it for {dish}.",
            "Hosts a dinner party with {dish} once a month.",
            "Thinks {dish} tastes better with fresh {ingredient}.",
        ],
    },
    "software": {
        "slots": {
            "lang": "Rust Python TypeScript Go Java Kotlin Haskell Elixir".split(),
            "thing": ["database migrations", "the CI pipeline", "a memory leak", "flaky integration tests",
                      "the login service", "API rate limiting", "the Kubernetes cluster", "Docker images",
                      "the billing backend", "slow SQL queries"],
            "period": ["two days", "a whole week", "the afternoon", "three sprints"],
            "editor": ["Vim", "Emacs", "VS Code", "IntelliJ", "Helix"],
            "os": ["Linux", "macOS", "Windows"],
            "system": ["the login service", "the billing backend", "the search indexer", "the checkout gateway",
                       "an internal dashboard"],
            "domain": ["parsing JSON", "image processing", "date handling", "HTTP clients", "logging",
                       "command line arguments"],
        },
        "templates": [
            "Writes {lang} code for {thing} at work.",
            "Spent {period} debugging {thing}.",
            "Prefers {editor} on {os} for development.",
            "Maintains an open source {lang} library for {domain}.",
            "Reviews pull requests about {thing} every morning.",
            "Is rewriting {system} in {lang}.",
        ],
    },
    "travel": {
        "slots": {
            "city": ["Lisbon", "Kyoto", "Reykjavik", "Marrakesh", "Buenos Aires", "Vancouver", "Istanbul",
                     "Hanoi", "Prague", "Cape Town", "Oslo", "Lima"],
            "season": "spring summer autumn winter".split(),
            "lodging": ["hostel", "boutique hotel", "rented apartment", "campsite", "guesthouse"],
            "duration": ["weekend", "two week", "month long", "ten day"],
            "companion": ["their sister", "college friends", "a partner", "the kids", "coworkers"],
            "item": ["a plug adapter", "noise cancelling headphones", "a paperback novel", "sunscreen",
                     "a rain jacket", "a neck pillow"],
            "transport": ["night train", "ferry", "bus", "rental car", "budget flight"],
            "souvenir": ["fridge magnets", "postcards", "local coins", "coffee mugs", "keychains"],
        },
        "templates": [
            "Flew to {city} last {season} and stayed in a {lodging}.",
            "Is planning a {duration} trip to {city} with {companion}.",
            "Always packs {item} in the suitcase.",
            "Took a {transport} from {city} to {city2}.",
            "Collects {souvenir} from every country visited.",
            "Missed a connecting flight in {city} because of a strike.",
        ],
    },
    "finance": {
        "slots": {
            "pct": ["five", "ten", "fifteen", "twenty"],
            "account": ["a retirement fund", "an emergency fund", "a savings account", "a college fund"],
            "asset": ["index funds", "government bonds", "tech stocks", "real estate", "dividend stocks",
                      "gold"],
            "broker": ["low-cost broker", "robo advisor", "bank", "financial planner"],
            "debt": ["student loan", "car loan", "mortgage", "credit card balance"],
            "rate": ["three", "four", "seven", "nineteen"],
            "ledger": ["spreadsheet", "budgeting app", "paper notebook"],
            "purchase": ["a house", "a new car", "an electric bike", "a vacation cabin"],
            "years": ["two", "five", "ten"],
            "bill": ["electricity", "internet", "phone", "water", "rent"],
        },
        "templates": [
            "Saves {pct} percent of each paycheck into {account}.",
            "Invests in {asset} through a {broker}.",
            "Is paying off a {debt} at {rate} percent interest.",
            "Tracks monthly spending in a {ledger}.",
            "Plans to buy {purchase} within {years} years.",
            "Pays the {bill} bill automatically each month.",
        ],
    },
}
TOPIC_NAMES = list(TOPICS)

# ---- paraphrase concepts: must share no token with the corpus (checked) -------------------
PARAPHRASE = {
    "pets": ["feline companions", "canine pals", "domesticated creatures", "kitty grooming",
             "veterinarian appointments", "furry critters", "aquarium inhabitants", "rodent care",
             "pooch exercise", "whiskered housemates", "rescued strays", "doggy snacks",
             "pup obedience", "reptile keeping", "avian companion", "beloved furballs",
             "animal hospital", "critter nutrition", "scared pooch storms",
             "hound training", "kitties purr contentedly", "bunny hutch", "mouser behaviour",
             "canine immunization", "feline dentistry"],
    "cooking": ["culinary hobbies", "homemade supper", "spice intolerance", "kitchen gadgets",
                "baking desserts", "oriental broth bowls", "italian rice dish", "entertaining guests meal",
                "heirloom recipes", "seasoning preferences", "frying pan", "hearty casserole",
                "gourmet meals", "vegetarian dinners", "herbs flavour", "meal prep",
                "hosting supper guests", "cuisine lessons", "sauteed veggies", "culinary appliances",
                "grandma recipes", "spicy cuisine", "brunch flapjacks", "seafood burritos",
                "braised meat simmering"],
    "software": ["programming languages", "coding job", "troubleshooting sessions", "devops infrastructure",
                 "containerization", "authentication microservice", "continuous deployment",
                 "text editors", "operating systems preference", "unreliable automated checks",
                 "schema upgrades", "throttling traffic", "software engineering", "bug hunting",
                 "oss maintainer", "developer tooling", "compiler errors", "payment system",
                 "sluggish datastore lookups", "terminal utilities", "refactoring legacy",
                 "typed scripting", "programmer workflow", "peer review merges", "heap growth"],
    "travel": ["holidays abroad", "foreign journeys", "holiday lodging", "sightseeing europe",
               "backpacking asia", "tourist souvenirs", "luggage essentials", "railway journey",
               "airport layover", "tourist destinations", "itinerary ideas", "voyages far away",
               "holiday packing checklist", "scandinavian getaway", "south america adventure",
               "japanese temples", "iceland excursion", "portuguese seaside", "inn accommodation",
               "memorabilia collecting", "canceled airline connection", "wanderlust",
               "globetrotting", "sunblock beaches", "motel accommodations"],
    "finance": ["personal bookkeeping", "pension contributions", "stock market portfolio",
                "indebtedness repayment", "housing debt", "wealth management", "frugal habits",
                "expense tracking", "utility payments", "equities diversification", "bullion",
                "tuition saving", "salary allocation", "contingency cash reserve", "fixed income securities",
                "property investing", "borrowing costs", "money matters", "fiscal discipline",
                "household accounts", "automatic payments", "automobile financing",
                "passive investing", "fiscal independence", "dividends yield"],
}
FACETS = ["", "", "", "tips", "advice", "questions", "ideas", "worries", "routine", "recommendations",
          "habits", "experiences"]

# ---- anchors for the semantic checks ---------------------------------------------------
ANCHORS = [
    ("Orla Whitfield", ["Keeps three beehives behind the garage and collects honey every August.",
                        "Wears a veiled hat and gloves when inspecting the hives."], "apiarist hobby"),
    ("Bastian Roux", ["Repairs old violins and cellos in a tiny workshop downtown.",
                      "Glues cracked wooden bodies and fits new bridges."], "luthier fixing fiddles"),
    ("Hana Lindgren", ["Feeds a sourdough starter with rye flour each morning.",
                       "Bakes crusty loaves for neighbours on Saturdays."], "naturally leavened bread"),
    ("Teodor Vance", ["Goes scuba diving near coral reefs in Egypt twice a year.",
                      "Logs every dive depth and air tank pressure."], "underwater sea adventures"),
    ("Mirko Salas", ["Plays correspondence chess with opponents in twelve countries.",
                     "Studies endgames from old Soviet books."], "grandmaster tournament practice"),
    ("Celeste Obi", ["Photographs distant galaxies through a backyard telescope.",
                     "Stays up late on moonless nights to capture nebulae."], "stargazing astrophotography"),
    ("Rune Castellan", ["Ran the Boston marathon in under three hours.",
                        "Trains by jogging forty miles each week."], "long-distance runner"),
    ("Edith Marlowe", ["Knits wool sweaters and scarves for grandchildren.",
                       "Owns a basket full of yarn in every colour."], "crochet needlework crafts"),
    ("Goran Pike", ["Installed solar panels on the roof to cut electricity bills.",
                    "Tracks how many kilowatt hours the house produces daily."], "renewable residential energy"),
    ("Lucinda Frey", ["Collects jazz vinyl records from the nineteen fifties.",
                      "Spends Sunday mornings browsing secondhand record shops."], "vintage LP albums collector"),
    ("Anselm Kerr", ["Climbed Mont Blanc and Kilimanjaro before turning forty.",
                     "Practices with ropes and crampons on icy slopes."], "alpine summit expeditions"),
    ("Perpetua Lyle", ["Grows rare orchids in a humid greenhouse.",
                       "Mists the delicate flowers with water twice daily."], "tropical houseplant cultivation"),
    ("Casimir Dunn", ["Builds oak tables and chairs in a garage workshop.",
                      "Sharpens chisels and planes before every project."], "carpentry furniture maker"),
    ("Wilhelmina Ortiz", ["Talks to strangers overseas using a ham radio.",
                          "Set up a tall antenna in the garden for shortwave signals."],
     "amateur broadcasting operator"),
    ("Ignatius Bell", ["Practices elegant lettering with ink and a broad nib pen.",
                       "Writes wedding invitations by hand for friends."], "decorative handwriting art"),
    ("Marisol Thorne", ["Sails a small wooden boat around the bay every summer.",
                        "Knows how to tie a bowline and read the wind."], "yacht skipper seamanship"),
    ("Leopold Asher", ["Makes goat cheese and aged cheddar in the cellar.",
                       "Ferments milk with cultures and rennet."], "dairy artisan curds"),
    ("Theodora Quist", ["Traces family ancestry back to eighteenth century Ireland.",
                        "Searches parish archives for lost birth certificates."], "researching forefathers lineage"),
    ("Fumiko Adair", ["Folds paper cranes and dragons without scissors or glue.",
                      "Taught a class on folding intricate paper animals."], "origami enthusiast"),
    ("Barnaby Voss", ["Spots herons, owls and woodpeckers with binoculars at dawn.",
                      "Keeps a notebook listing every species seen."], "ornithology hobbyist"),
]

STOP = set("a an the and or of to in on at for with from by is be as it its that this their every each "
           "last next once about because within into around under through has have".split())

# too generic to be a realistic search keyword
GENERIC = set("two three four five six seven ten fifteen twenty nineteen forty make makes learned uses buys walks "
              "spent owns hosts thinks avoids prefers writes maintains reviews plans pays saves tracks paying "
              "invests flew stayed took always packs collects missed named loves visits afraid adopted off work "
              "week whole day month year months times source open percent extra better tastes old young long "
              "afternoon morning buy into code about once each every country visited local party".split())


def fill(rng, template, slots):
    out = template
    for key in re.findall(r"\{(\w+)\}", template):
        if key == "city2":
            val = rng.choice(slots["city"])
        else:
            val = rng.choice(slots[key])
        out = out.replace("{" + key + "}", val, 1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--entities", type=int, default=10000)
    ap.add_argument("--relations", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261127)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    entities = []
    # anchors first get fixed, spread-out positions among the entities
    anchor_pos = {int((i + 0.5) * a.entities / len(ANCHORS)): i for i in range(len(ANCHORS))}
    for i in range(a.entities):
        if i in anchor_pos:
            name, obs, _ = ANCHORS[anchor_pos[i]]
            entities.append({"name": name, "entityType": "person", "observations": list(obs)})
            continue
        topic = TOPIC_NAMES[i % len(TOPIC_NAMES)]
        t = TOPICS[topic]
        tpls = rng.sample(t["templates"], 2)
        obs = [fill(rng, tp, t["slots"]) for tp in tpls]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:05d}"
        entities.append({"name": name, "entityType": "person", "observations": obs})

    names = [e["name"] for e in entities]
    rel_types = ["knows", "works_with", "lives_near", "mentors", "follows", "is_related_to"]
    relations, seen = [], set()
    while len(relations) < a.relations:
        f, t = rng.randrange(len(names)), rng.randrange(len(names))
        rt = rng.choice(rel_types)
        if f == t or (f, t, rt) in seen:
            continue
        seen.add((f, t, rt))
        relations.append({"from": names[f], "to": names[t], "relationType": rt})

    # corpus vocabulary (observations + names + types + relation types), as a dict for ordering
    vocab = {}
    for e in entities:
        for s in [e["name"], e["entityType"], *e["observations"]]:
            for w in toks(s):
                vocab[w] = vocab.get(w, 0) + 1
    for r in rel_types:
        for w in toks(r):
            vocab[w] = vocab.get(w, 0) + 1

    # lexical keywords per topic: content tokens of slot values that really occur in observations
    lex = {}
    for topic, t in TOPICS.items():
        ws = []
        for vals in t["slots"].values():
            for v in vals:
                for w in toks(v):
                    if w not in STOP and w not in GENERIC and len(w) >= 3 and w in vocab and w not in ws:
                        ws.append(w)
        lex[topic] = ws

    # paraphrases: verify zero overlap with the whole corpus
    bad = []
    for topic, ps in PARAPHRASE.items():
        for p in ps:
            ov = [w for w in toks(p) if w in vocab]
            if ov:
                bad.append((topic, p, ov))
    for f in FACETS:
        ov = [w for w in toks(f) if w in vocab]
        if ov:
            bad.append(("facet", f, ov))
    if bad:
        for b in bad:
            print("paraphrase overlaps corpus:", b, file=sys.stderr)
        sys.exit(1)

    n_lex = a.queries // 2
    queries, kinds = [], []
    phrases = {}
    for topic, t in TOPICS.items():
        ps = []
        for vals in t["slots"].values():
            for v in vals:
                w = v.split()
                if w[0].lower() in ("a", "an", "the"):
                    w = w[1:]
                if len(w) >= 2 and not any(x.lower() in GENERIC for x in w) and " ".join(w).lower() not in ps:
                    ps.append(" ".join(w).lower())
        phrases[topic] = ps
    by_topic = {tp: [e for k, e in enumerate(entities) if k not in anchor_pos and k % len(TOPIC_NAMES) == j]
                for j, tp in enumerate(TOPIC_NAMES)}
    for i in range(n_lex):
        topic = TOPIC_NAMES[i % len(TOPIC_NAMES)]
        kind = (i // len(TOPIC_NAMES)) % 3
        if kind == 0:    # one keyword that occurs in observations
            q = rng.choice(lex[topic])
        elif kind == 1:  # a multi-word phrase that occurs verbatim ("pressure cooker", "student loan")
            q = rng.choice(phrases[topic])
        else:            # two keywords from one observation, in order, usually not adjacent
            ws = []
            while len(ws) < 2:
                o = rng.choice(rng.choice(by_topic[topic])["observations"])
                ws = [w for w in toks(o) if w not in STOP and w not in GENERIC and len(w) >= 3]
            idx = sorted(rng.sample(range(len(ws)), 2))
            q = " ".join(ws[j] for j in idx)
        queries.append(q)
        kinds.append("lexical")
    combos = []
    for topic in TOPIC_NAMES:
        for p in PARAPHRASE[topic]:
            for f in dict.fromkeys(FACETS):  # ordered unique
                combos.append((p + " " + f).strip())
    rng.shuffle(combos)
    para = combos[: a.queries - n_lex]
    for q in para:
        queries.append(q)
        kinds.append("paraphrase")
    # interleave deterministically so lexical and paraphrase queries alternate in the run
    order = list(range(len(queries)))
    rng.shuffle(order)
    queries = [queries[i] for i in order]
    kinds = [kinds[i] for i in order]

    checks = []
    by_name = {e["name"]: e for e in entities}
    for name, _, q in ANCHORS:
        if name not in by_name:
            continue
        e = by_name[name]
        ent_toks = set(toks(" ".join([e["name"], e["entityType"], *e["observations"]])))
        ov = [w for w in toks(q) if w in ent_toks]
        if ov:
            print(f"semantic check {q!r} shares {ov} with {name}", file=sys.stderr)
            sys.exit(1)
        checks.append({"query": q, "expect_entity": name})

    data = {
        "meta": {"generator": "gen-dataset.py", "seed": a.seed, "topics": TOPIC_NAMES,
                 "n_entities": len(entities), "n_relations": len(relations), "n_queries": len(queries),
                 "n_observations": sum(len(e["observations"]) for e in entities)},
        "entities": entities,
        "relations": relations,
        "queries": queries,
        "query_kinds": kinds,
        "semantic_checks": checks,
    }
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    with open(a.out, "wb") as f:
        f.write(blob)
    print(f"wrote {a.out}: {len(entities)} entities, {data['meta']['n_observations']} observations, "
          f"{len(relations)} relations, {len(queries)} queries ({kinds.count('lexical')} lexical, "
          f"{kinds.count('paraphrase')} paraphrase), {len(checks)} semantic checks, "
          f"sha256 {hashlib.sha256(blob).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
