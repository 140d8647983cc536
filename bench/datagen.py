"""Benchmark data for the customer 360 and duplicate scanner: a UK SME's customer base.

Scales: ``euk`` is EnergistUK (8,000 customers, three years of orders,
interactions); ``10x`` is ten times that (80,000 customers, about 200,000
orders). Both carry a known set of seeded near-duplicate families (name case
and legal-suffix variants, spacing and typos, phone formats, a missing or
different e-mail), returned as ground truth. History is bulk-loaded with SQL:
it is data, not behaviour under test.
"""
import datetime
import random

from psycopg2.extras import execute_values

SCALES = {"euk": (8000, 50), "10x": (80000, 500)}  # customers, duplicate families

PLACES = ("Pennine Calder Aire Wharfe Ryburn Holme Colne Dearne Don Rother Nidd Swale Ure Esk Derwent Hebble "
          "Spen Worth Skirfare Dove Loxley Sheaf Porter Blackburn Kirk Moor Dale Fell Ridge Vale Brook Beck Clough "
          "Heath Lea Wold Carr Garth Holt Hurst Shaw Thorpe Royd Booth Ings Marsh Gill Scar Tor Edge Wick "
          "Stanley Ossett Elland Brighouse Todmorden Hebden Haworth Keighley Bingley Shipley Otley Ilkley Wetherby "
          "Selby Tadcaster Knaresborough Ripon Thirsk Bedale Richmond Skipton Settle Sedbergh Barnsley Rotherham "
          "Doncaster Goole Pontefract Castleford Normanton Batley Dewsbury Mirfield Holmfirth Marsden Slaithwaite").split()
TRADES = ("Care Mobility Hoists Stairlifts Healthcare Nursing Supplies Equipment Lifting Seating Beds Bathing "
          "Access Living Homecare Therapy Rehab Medical Support Wellbeing Comfort Independence Energy Heating "
          "Insulation Solar Boilers Plumbing Electrical Building Joinery Roofing Windows Doors Flooring").split()
FORMS = ("Ltd", "Limited", "Ltd", "plc", "LLP", "Group Ltd", "& Co", "Services Ltd", "Trust", "")
FIRST = ("Margaret John Eileen Rajesh Doris Kevin Alison Harold Fatima Brian Priya Tom Janet Gareth Sian Dev "
         "Susan David Sarah James Karen Peter Helen Paul Julie Mark Claire Andrew Emma Stephen Nicola Gary Joanne "
         "Ian Lisa Neil Amanda Carl Rachel Wayne Louise Lee Michelle Craig Donna Dean Tracey Jason Kelly Darren "
         "Amir Aisha Mohammed Zainab Imran Nadia Tariq Sana Oliver Amelia Harry Isla Jack Ava George Mia").split()
LAST = ("Ackroyd Brien Firth Kumar Lumb Sutcliffe McGregor Greenwood Hussain Hargreaves Sharma Whitaker Holroyd "
        "Evans Pritchard Patel Smith Jones Taylor Brown Wilson Johnson Walker Wright Robinson Thompson White "
        "Hughes Edwards Green Hall Wood Harris Lewis Martin Jackson Clarke Clark Turner Hill Scott Cooper Morris "
        "Ward Moore King Watson Baker Harrison Morgan Allen James Phillips Parker Bennett Cook Shaw Bailey "
        "Haigh Crowther Barraclough Illingworth Ramsden Pickles Heaton Booth Midgley Priestley Sugden Ogden "
        "Akroyd Brook Dyson Haley Hirst Mitchell Ormerod Pollard Rhodes Stansfield Tattersall Uttley Wadsworth").split()
DISTRICTS = ["HX%d" % n for n in range(1, 8)] + ["HD%d" % n for n in range(1, 10)] + \
            ["LS%d" % n for n in range(1, 30)] + ["BD%d" % n for n in range(1, 24)] + \
            ["WF%d" % n for n in range(1, 18)] + ["S%d" % n for n in range(1, 40)] + ["YO%d" % n for n in range(1, 32)]
DOMAINS = ("example.co.uk", "example.com", "example.org.uk", "gmail.com", "outlook.com", "btinternet.com")
CHANNELS = ("email", "phone", "web_form", "portal", "eprocurement", "letter", "meeting")


def _customer(rng, serial):
    district = rng.choice(DISTRICTS)
    postcode = "%s %d%s%s" % (district, rng.randint(1, 9), rng.choice("ABDEFGHJLNPQRSTUWXYZ"),
                              rng.choice("ABDEFGHJLNPQRSTUWXYZ"))
    # unique 7-digit local numbers keep phones distinct between different customers
    phone = "01%03d %06d" % (rng.randint(132, 999), serial)
    if rng.random() < 0.45:
        name = " ".join(filter(None, (rng.choice(PLACES), rng.choice(TRADES), rng.choice(TRADES), rng.choice(FORMS))))
        email = "%s%d@%s" % (name.split()[0].lower(), serial, rng.choice(DOMAINS[:3]))
        return {"name": name, "is_company": True, "email": email, "phone": phone, "zip": postcode}
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = "%s.%s%d@%s" % (first.lower(), last.lower(), serial, rng.choice(DOMAINS))
    return {"name": "%s %s" % (first, last), "is_company": False, "email": email, "phone": phone, "zip": postcode}


def _typo(rng, name):
    words = name.split()
    index = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[index]
    if len(word) > 4:
        at = rng.randint(1, len(word) - 3)
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]  # swap two letters
    words[index] = word
    return " ".join(words)


def _variants(rng, original):
    """Three realistic re-keyings of one customer, as seen in shared Outlook folders."""
    name, phone = original["name"], original["phone"]
    national = phone.replace(" ", "")
    suffix_swapped = name.replace("Limited", "Ltd") if "Limited" in name else name.replace(" Ltd", " Limited")
    return [
        # upper case, legal suffix swapped, phone in international format, no e-mail
        dict(original, name=suffix_swapped.upper(), email=None, phone="+44 %s %s" % (national[1:5], national[5:])),
        # double spacing and a full stop, a different (personal) e-mail, phone with brackets
        dict(original, name=name.replace(" ", "  ", 1) + ".", email="%s@%s" % (
            name.split()[0].lower() + str(rng.randint(10, 99)), rng.choice(DOMAINS[3:])),
             phone="(%s) %s" % (national[:5], national[5:])),
        # a typo, same postcode, no contact details at all
        dict(original, name=_typo(rng, name), email=None, phone=None),
    ]


def load(conn, scale="euk", seed=2026, today=None, ecrm=True):
    """Insert the dataset; returns {'families': [[ids]], 'customers': n, 'orders': n, 'interactions': n}.

    ``ecrm`` False loads the same customers and orders into a database without the eCRM
    add-ons (no eCRM columns, no timeline), as the baseline of a with/without comparison.
    """
    customers, family_count = SCALES[scale]
    rng = random.Random(seed)
    today = today or datetime.date.today()
    cur = conn.cursor()
    cur.execute("SELECT id FROM res_country WHERE code = 'GB'")
    gb = cur.fetchone()[0]
    cur.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company = cur.fetchone()[0]
    cur.execute("SELECT id FROM product_pricelist ORDER BY id LIMIT 1")
    pricelist = cur.fetchone()[0]
    cur.execute("SELECT id FROM stock_warehouse ORDER BY id LIMIT 1")
    warehouse_row = cur.fetchone()

    records = [_customer(rng, serial) for serial in range(customers)]
    family_origins = rng.sample(range(customers), family_count)
    family_members = [[origin] for origin in family_origins]
    for members in family_members:
        for variant in _variants(rng, records[members[0]]):
            members.append(len(records))
            records.append(variant)

    ids = execute_values(cur, """
        INSERT INTO res_partner (name, display_name, is_company, email, phone, zip, city, country_id, customer,
               active, type, lang, invoice_warn, sale_warn, picking_warn, purchase_warn,
               %s create_date, write_date)
        VALUES %%s RETURNING id""" % ("ecrm_data_quality_score," if ecrm else ""), [
        (r["name"], r["name"], r["is_company"], r["email"], r["phone"], r["zip"], "Halifax", gb, True, True,
         "contact", "en_GB", "no-message", "no-message", "no-message", "no-message") + ((100,) if ecrm else ()) +
        (datetime.datetime.utcnow(), datetime.datetime.utcnow()) for r in records], fetch=True, page_size=5000)
    partner_ids = [row[0] for row in ids]
    cur.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (partner_ids,))

    orders = []
    for index in range(customers):
        if rng.random() < 0.65:
            for _ in range(rng.randint(1, 7)):
                day = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
                amount = round(rng.choice((45, 120, 260, 480, 950, 1800)) * rng.uniform(0.5, 3), 2)
                orders.append((partner_ids[index], day, amount))
    if warehouse_row:
        execute_values(cur, """
            INSERT INTO sale_order (name, date_order, partner_id, partner_invoice_id, partner_shipping_id,
                   pricelist_id, picking_policy, warehouse_id, state, amount_untaxed, amount_tax, amount_total,
                   company_id, create_date, write_date)
            VALUES %s""", [
            ("BENCH/%07d" % n, day, pid, pid, pid, pricelist, "direct", warehouse_row[0], "sale", amount,
             round(amount * 0.2, 2), round(amount * 1.2, 2), company, day, day)
            for n, (pid, day, amount) in enumerate(orders)], page_size=5000)

    interactions = []
    for index in range(customers if ecrm else 0):
        for _ in range(rng.randint(0, 6)):
            when = datetime.datetime.combine(today - datetime.timedelta(days=rng.randint(0, 3 * 365)),
                                             datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
            interactions.append((partner_ids[index], partner_ids[index], rng.choice(CHANNELS),
                                 rng.choice(("inbound", "outbound")), "bench_history", when, "History", company, 1,
                                 when, when))
    if interactions:
        # the type each entry needs, as log_many would find it
        cur.execute("""
        INSERT INTO ecrm_interaction_type (code, name, staff_log, active, sequence)
        VALUES ('bench_history', 'Bench history', false, true, 100)
        ON CONFLICT (code) DO UPDATE SET active = true RETURNING id""")
        type_id = cur.fetchone()[0]
        execute_values(cur, """
        INSERT INTO ecrm_interaction (partner_id, commercial_partner_id, channel, direction, interaction_type,
               date, subject, company_id, user_id, create_date, write_date, type_id)
        VALUES %s""", [row + (type_id,) for row in interactions], page_size=5000)
    conn.commit()
    return {
        "families": [[partner_ids[i] for i in members] for members in family_members],
        "customers": len(records), "orders": len(orders), "interactions": len(interactions),
    }
