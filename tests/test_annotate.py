"""Annotation rules, each on sentences written for the test (seed text is read from disk)."""
from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

import diplokit
from diplokit.annotate import annotate
from diplokit.lexicon import EVENT_IDS, SECTOR_IDS, Lexicon, default_lexicon


def ann_of(*texts: str, lexicon: Lexicon | None = None):
    corpus = diplokit.load_corpus(pd.DataFrame({"text": list(texts)}))
    return corpus, annotate(corpus, lexicon)


def mentions_of(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, str, str]]:
    _, a = ann_of(text, lexicon=lexicon)
    return list(zip(a.mentions["surface"], a.mentions["entity_id"], a.mentions["match"]))


def test_lexicon_ids_are_exactly_the_agreed_ones():
    lex = default_lexicon()
    assert list(lex.sectors["id"]) == SECTOR_IDS
    assert list(lex.events["id"]) == EVENT_IDS
    assert lex.events["cameo_root"].str.fullmatch(r"\d\d").all()
    for ids, cues, col in ((SECTOR_IDS, lex.sector_cues, "sector"), (EVENT_IDS, lex.event_cues, "event_type")):
        for i in ids:
            langs = set(cues.loc[cues[col] == i, "lang"])
            assert {"en", "fr"} <= langs, i


def test_country_lexicon_covers_un_members_and_more():
    c = default_lexicon().countries
    assert (c["status"] == "un_member").sum() == 193
    assert {"XKX", "TWN", "ESH", "PSE", "VAT"} <= set(c["id"])
    rwa = c.set_index("id").loc["RWA"]
    assert "Kigali" in rwa["capitals"] and "rwandais" in rwa["demonyms"].lower()


def test_longest_match_wins():
    m = mentions_of("Officials from the Democratic Republic of Congo (DRC) attended the Russia–Africa Partnership Forum.")
    assert [(s, e) for s, e, _ in m] == [
        ("Democratic Republic of Congo", "COD"),
        ("DRC", "COD"),
        ("Russia–Africa Partnership Forum", m[2][1]),
    ] or [x[:2] for x in m][:2] == [("Democratic Republic of Congo", "COD"), ("DRC", "COD")]
    ids = [e for _, e, _ in m]
    assert "COG" not in ids and "RUS" not in ids
    ents = default_lexicon().entities().set_index("entity_id")
    forum = [e for s, e, _ in m if s.startswith("Russia")]
    assert forum and ents.loc[forum[0], "entity_type"] == "organization"


def test_surnames_resolve_to_the_person_named_in_full():
    m = mentions_of("President Paul Kagame received the delegation. Later, Kagame spoke. President Kagame then left.")
    people = [(s, e, k) for s, e, k in m if e == "paul_kagame"]
    assert [k for _, _, k in people] == ["name", "surname", "title_surname"]
    assert people[2][0] == "President Kagame"


def test_a_different_first_name_is_a_different_person():
    m = mentions_of("Paul Kagame and Jeannette Kagame attended the gala in Kigali.")
    kagames = [(s, e) for s, e, _ in m if "Kagame" in s]
    assert ("Paul Kagame", "paul_kagame") in kagames
    assert all(e != "paul_kagame" for s, e in kagames if s.startswith("Jeannette"))
    assert not any(s == "Kagame" and e == "paul_kagame" for s, e in kagames)


def test_a_surname_after_someone_else_named_in_full_is_that_person():
    """After "Marc Kagame" (no one the lexicon lists) alone, a bare "Kagame" is not the
    president; once the president has been named in full, it is (he is the one a story
    calls by surname)."""
    m = mentions_of("Marc Kagame opened the clinic. Kagame thanked the nurses, and Mr Kagame left.")
    assert not any(e == "paul_kagame" for _, e, _ in m)
    m = mentions_of("President Paul Kagame and Marc Kagame opened the clinic. Kagame thanked the nurses.")
    assert [(s, k) for s, e, k in m if e == "paul_kagame"] == [("Paul Kagame", "name"), ("Kagame", "surname")]
    m = mentions_of("Marc Kagame opened the clinic with Paul Kagame. Kagame thanked the nurses.")
    assert [s for s, e, _ in m if e == "paul_kagame"] == ["Paul Kagame", "Kagame"]


def test_unknown_first_name_before_known_surname_is_not_resolved():
    lex = default_lexicon()
    m = mentions_of("Paul Kagame welcomed guests. Zzyzx Kagame, a cousin, also spoke.", lexicon=lex)
    assert [s for s, e, _ in m if e == "paul_kagame"] == ["Paul Kagame"]
    _, a = ann_of("Paul Kagame welcomed guests. Zzyzx Kagame, a cousin, also spoke.")
    assert "Zzyzx Kagame" in set(a.candidates["name"])


def test_case_and_diacritics_for_names_but_not_acronyms():
    m = mentions_of("Touadera met the AU envoy; he drove a car to the summit and said au revoir to the CAR delegation.")
    ids = [(s, e) for s, e, _ in m]
    assert ("Touadera", "faustin_archange_touadera") in ids
    assert ("AU", "au") in ids
    assert ("CAR", "CAF") in ids
    assert ("car", "CAF") not in ids and not any(s == "au" for s, _ in ids)


# Foreign ministers the lexicon does not list (office-holders we could not name with
# confidence); README "Annotation" says so. Everything else must stay covered.
FM_GAPS = {"GNQ", "GAB", "GNB", "MDG", "STP", "SSD", "SDN", "ESH"}
MAIN_PARTNERS = ["USA", "CHN", "RUS", "FRA", "GBR", "DEU", "TUR", "ARE", "QAT", "SAU", "IND", "JPN", "BEL", "ITA", "BRA", "KOR", "ISR", "CAN", "ESP", "PRT", "NLD", "UKR"]


def test_people_cover_leaders_and_foreign_ministers():
    lex = default_lexicon()
    role = lex.people["role"].str.lower()
    fm = set(lex.people.loc[role.str.contains("foreign affairs|foreign secretary|international relations|external relations|external affairs|secretary of state of the united states"), "country"])
    head = set(lex.people.loc[role.str.contains(r"^(?:president|king|emir|prime minister|chancellor|crown prince|chairman|secretary-general of the polisario)|president of the (?:transition|national council)"), "country"])
    africa = set(lex.countries.loc[lex.countries["continent"] == "Africa", "id"])
    assert africa - head == set()
    assert africa - fm == FM_GAPS
    assert set(MAIN_PARTNERS) - head == set() and set(MAIN_PARTNERS) - fm == set()
    # names are matched without their diacritics too
    assert ("Morissanda Kouyate", "morissanda_kouyate", "name") in mentions_of("Morissanda Kouyate met the delegation in Conakry.")


def test_organizations_often_named_in_african_news():
    m = mentions_of("The Polisario Front, the Nigerian Army, the Lake Chad Basin Commission and the Houthis were all discussed; "
                    "la Francophonie and the Francophonie met, but the francophonie of the region is a language matter.")
    assert ("Polisario Front", "polisario_front", "name") in m and ("Nigerian Army", "nigerian_armed_forces", "alias") in m
    assert ("Lake Chad Basin Commission", "lcbc", "name") in m and ("Houthis", "houthis", "name") in m
    assert [s for s, e, _ in m if e == "oif"] == ["la Francophonie", "Francophonie"]


def test_seats_of_government_count_like_capitals():
    m = mentions_of("The Kremlin and the Élysée traded accusations, while the White House kept silent on the deal.")
    assert [(s, e) for s, e, k in m if k == "capital"] == [("Kremlin", "RUS"), ("Élysée", "FRA"), ("White House", "USA")]
    m = mentions_of("Le chef de la Maison-Blanche a reçu son homologue angolais au palais présidentiel.")
    assert ("Maison-Blanche", "USA", "capital") in m
    # an everyday phrase in lower case is not the US presidency
    assert not [e for _, e, _ in mentions_of("The delegation stayed in a small white house near the lake in Rubavu.") if e == "USA"]


def test_capitals_count_for_governments_not_places():
    m = mentions_of("Kigali and Bangui agreed to extend the pact. The envoy arrived in Kigali on Monday.")
    caps = [(s, e, k) for s, e, k in m if k == "capital"]
    assert caps == [("Kigali", "RWA", "capital"), ("Bangui", "CAF", "capital")]


def test_a_capital_glued_to_based_or_listed_is_a_place():
    m = mentions_of("The London-listed miner and a Nairobi-based think tank said London and Nairobi had agreed.")
    assert [(s, e) for s, e, k in m if k == "capital"] == [("London", "GBR"), ("Nairobi", "KEN")]


def test_brussels_stands_for_the_eu_in_a_story_about_the_eu_that_names_belgium_no_other_way():
    m = mentions_of("The European Commission approved new funds for Niger. Brussels said the money would pay for border posts.")
    assert ("Brussels", "eu", "capital") in m and not [e for _, e, _ in m if e == "BEL"]
    m = mentions_of("L'Union européenne a suspendu son aide. Bruxelles et Niamey restent en contact.")
    assert ("Bruxelles", "eu", "capital") in m
    # Belgium named otherwise: Brussels is Belgium's government
    m = mentions_of("Belgian diplomats left Kigali. Brussels regretted the decision, and the EU called for calm.")
    assert ("Brussels", "BEL", "capital") in m
    # no EU in the story: Brussels is Belgium's government
    assert ("Brussels", "BEL", "capital") in mentions_of("Brussels and Kigali signed a trade deal on Monday.")
    # the rule is data: without the setting, Brussels stays Belgium
    lex = default_lexicon()
    plain = replace(lex, settings={k: v for k, v in lex.settings.items() if k != "capital_seats_of_organisations"})
    text = "The European Commission approved new funds for Niger. Brussels said the money would pay for border posts."
    assert ("Brussels", "BEL", "capital") in mentions_of(text, lexicon=plain)

def test_a_national_security_council_is_not_the_uns():
    m = mentions_of("The president convened his national security council. The Security Council met in New York.")
    assert [s for s, e, _ in m if e == "unsc"] == ["Security Council"]
    m = mentions_of("Devant le Conseil de sécurité nationale, le chef de l'État a parlé de l'Amérique latine.")
    assert not any(e in ("unsc", "USA") for _, e, _ in m)


def test_currencies_named_with_a_demonym_are_money():
    m = mentions_of("The prize is worth ten million Swedish crowns, paid in Kenyan shillings by the Kenyan government.")
    assert [(s, e) for s, e, _ in m] == [("Kenyan", "KEN")]


def test_an_honorific_in_apposition_is_not_part_of_the_name():
    _, a = ann_of("Habré est décédé, a annoncé le ministre de la Justice, Me Malick Sallou. Selon M. Sallou, il avait 79 ans.")
    got = _unlisted(a)
    assert ("Malick Sallou", "new:malick_sallou", "Malick Sallou", "unlisted") in got
    assert not any(s.startswith("Me ") for s, *_ in got)


def test_demonyms():
    m = mentions_of("Rwandan troops and Mozambican forces patrolled together.")
    assert ("Rwandan", "RWA", "demonym") in m
    assert ("Mozambican", "MOZ", "demonym") in m


def test_french_story_annotates_like_english():
    text = (
        "Le président centrafricain a reçu une délégation de la RDC et de l'Union africaine à Bangui. "
        "La Centrafrique et le Rwanda ont signé un accord de coopération en matière de sécurité."
    )
    corpus, a = ann_of(text)
    assert corpus.articles["lang"].item() == "fr"
    ids = set(a.mentions["entity_id"])
    assert {"COD", "au", "CAF", "RWA"} <= ids
    assert "security_defence" in set(a.sectors["sector"])
    assert "agreement_signed" in set(a.events["event_type"])
    assert ("CAF", "RWA") in set(zip(a.dyads["country_a"], a.dyads["country_b"]))


def test_events_carry_the_actors_of_their_sentence():
    _, a = ann_of("Rwanda and Benin signed a memorandum of understanding on security cooperation in Kigali.")
    ev = a.events.set_index("event_type")
    assert "agreement_signed" in ev.index
    row = ev.loc["agreement_signed"]
    assert set(row["countries"].split("|")) == {"BEN", "RWA"}
    assert row["cameo_root"] == "05"


def test_mentions_trace_back_to_text():
    corpus, a = ann_of(
        "President Paul Kagame hosted Félix Tshisekedi. The two leaders discussed trade.",
        "Le ministre Olivier Nduhungirehe s'est entretenu avec Sergueï Lavrov à Moscou.",
    )
    text = corpus.articles.set_index("article_id")["text"]
    sents = corpus.sentences.set_index(["article_id", "sentence_id"])
    for t in (a.mentions, a.sectors, a.events):
        for r in t.itertuples():
            assert text[r.article_id][r.start:r.end] == r.surface
            s = sents.loc[(r.article_id, r.sentence_id)]
            assert s["start"] <= r.start and r.end <= s["end"]


def test_results_are_identical_across_runs_and_batch_sizes():
    corpus = diplokit.load_corpus()
    a = annotate(corpus)
    b = annotate(corpus, batch_size=7)
    for t in ("mentions", "sectors", "events", "dyads", "candidates"):
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))


def test_users_extend_the_lexicon_without_editing_the_package(tmp_path):
    text = "Ambassador Qwerty Uiop met officials of the Zorblax Institute to discuss malaria."
    _, before = ann_of(text)
    assert "Qwerty Uiop" in set(before.candidates["name"])
    lex = default_lexicon().add_person("Qwerty Uiop", country="RWA", role="Ambassador of Rwanda")
    lex = lex.add_organization("Zorblax Institute", type="ngo")
    lex = lex.add_cues("health", ["malaria"])
    _, after = ann_of(text, lexicon=lex)
    assert {"qwerty_uiop", "zorblax_institute"} <= set(after.mentions["entity_id"])
    assert "health" in set(after.sectors["sector"])
    # The same from a folder of extra lexicon files.
    (tmp_path / "people.csv").write_text("id,name,surname,aliases,role,role_fr,country,start_year,end_year,other_roles\nqu,Qwerty Uiop,Uiop,,Ambassador,,RWA,,,\n", encoding="utf-8")
    lex2 = Lexicon.load(tmp_path)
    _, again = ann_of(text, lexicon=lex2)
    assert "qu" in set(again.mentions["entity_id"])


def test_seeds_name_every_actor(seeds_dir):
    corpus = diplokit.load_corpus(seeds_dir)
    a = annotate(corpus)
    m = a.mentions.merge(corpus.articles[["article_id", "path"]], on="article_id")
    first = m[m["path"].str.startswith("000_")]
    second = m[m["path"].str.startswith("004_")]
    ents = default_lexicon().entities().set_index("entity_id")
    assert {"paul_kagame", "faustin_archange_touadera", "RWA", "CAF", "rdf", "minusca"} <= set(first["entity_id"])
    assert {"sergey_lavrov", "olivier_nduhungirehe", "RUS", "RWA", "COD", "un", "au"} <= set(second["entity_id"])
    assert ents.loc["faustin_archange_touadera", "country"] == "CAF"
    assert ents.loc["sergey_lavrov", "country"] == "RUS" and "Foreign" in ents.loc["sergey_lavrov", "detail"] or "Affairs" in ents.loc["sergey_lavrov", "detail"]
    assert ents.loc["rdf", "country"] == "RWA"
    forum = second[second["surface"].str.startswith("Russia–Africa Partnership")]
    assert len(forum) and (forum["entity_type"] == "organization").all()
    assert "EGY" not in set(second["entity_id"])  # "in Cairo" is a place, not Egypt's government
    dy = a.dyads.merge(corpus.articles[["article_id", "path"]], on="article_id")
    assert set(zip(dy["path"].str[:4], dy["country_a"], dy["country_b"])) == {("000_", "CAF", "RWA"), ("004_", "RUS", "RWA")}


def test_lexicon_labels_for_figures():
    lex = default_lexicon()
    en, fr = lex.labels("sectors"), lex.labels("sectors", lang="fr")
    assert list(en) == SECTOR_IDS and en["security_defence"] != "security_defence"
    assert fr["health"] == "Santé"
    assert list(lex.labels("events")) == EVENT_IDS
    with pytest.raises(ValueError):
        lex.labels("people")


def test_rule_settings_are_part_of_the_fingerprint():

    lex = default_lexicon()
    other = replace(lex, settings={**lex.settings, "dyad_min_evidence": 3})
    assert other.fingerprint() != lex.fingerprint()
    assert replace(lex, settings=dict(lex.settings)).fingerprint() == lex.fingerprint()


def dyads_of(*texts: str, lexicon: Lexicon | None = None) -> list[set[tuple[str, str]]]:
    """The country pairs of each story, in order."""
    corpus, a = ann_of(*texts, lexicon=lexicon)
    pairs = a.dyads.groupby("article_id").apply(lambda d: set(zip(d["country_a"], d["country_b"])))
    return [pairs.get(i, set()) for i in corpus.articles["article_id"]]


def test_state_companies_bear_their_country_private_ones_do_not():
    state, private = dyads_of(
        "Uganda Airlines agreed with Ghana to fly three times a week to a new airport.",
        "Volkswagen agreed with Ghana to assemble cars at a new plant.",
    )
    assert state == {("GHA", "UGA")}
    assert private == set()
    ents = default_lexicon().entities().set_index("entity_id")
    assert ents.loc["uganda_airlines", "detail"] == "state_company" and ents.loc["volkswagen", "detail"] == "company"
    # The rule is the setting: without state_company in it, the airline is just a firm.
    lex = default_lexicon()
    types = [t for t in lex.settings["country_bearing_org_types"] if t != "state_company"]

    (plain,) = dyads_of("Uganda Airlines agreed with Ghana to fly three times a week to a new airport.",
                        lexicon=replace(lex, settings={**lex.settings, "country_bearing_org_types": types}))
    assert plain == set()


def test_people_in_company_or_armed_group_roles_do_not_bear_their_country():
    text = "Jane Wanjiru met President Paul Kagame to talk about a copper mine."
    lex = default_lexicon().add_organization("Zorblax Mining", type="company", country="KEN")
    ceo = lex.add_person("Jane Wanjiru", country="KEN", role="Chief Executive Officer of Zorblax Mining")
    minister = lex.add_person("Jane Wanjiru", country="KEN", role="Minister of Mining of Kenya")
    assert dyads_of(text, lexicon=ceo) == [set()]
    assert dyads_of(text, lexicon=minister) == [{("KEN", "RWA")}]
    # The head of a state company speaks for the state, as the company does.
    state = default_lexicon().add_organization("Zorblax Mining", type="state_company", country="KEN") \
        .add_person("Jane Wanjiru", country="KEN", role="Chief Executive Officer of Zorblax Mining")
    assert dyads_of(text, lexicon=state) == [{("KEN", "RWA")}]
    # The same for a rebel commander: the M23 does not speak for the DRC.
    _, a = ann_of("Sultani Makenga said Rwandan officials had been told of the ceasefire.")
    assert "sultani_makenga" in set(a.mentions["entity_id"]) and a.dyads.empty
    _, a = ann_of("Jane Wanjiru and Rwanda signed a memorandum of understanding on mining.", lexicon=ceo)
    assert set(a.events["countries"]) == {"RWA"}


def test_a_demonym_giving_a_company_nationality_does_not_bear_the_country():
    stories = [
        "The German carmaker Volkswagen opened an assembly plant with the government of Ghana.",
        "Le groupe allemand Volkswagen a ouvert une usine d'assemblage avec le gouvernement du Ghana.",
        "Germany's Volkswagen opened an assembly plant with the government of Ghana.",
        "German officials praised Volkswagen for its new plant in Ghana.",  # the state speaks
        "German and Ghanaian ministers opened an assembly plant.",
    ]
    got = dyads_of(*stories)
    assert got[:3] == [set(), set(), set()]
    assert got[3] == got[4] == {("DEU", "GHA")}
    # The demonym is still a mention of Germany.
    _, a = ann_of(stories[0])
    assert ("German", "DEU", "demonym") in set(zip(a.mentions["surface"], a.mentions["entity_id"], a.mentions["match"]))


def test_no_pair_leads_when_the_top_is_shared_by_four_countries():
    four = ("Leaders of Kenya, Uganda, Tanzania and Burundi met for a summit on the railway. "
            "Kenya, Uganda, Tanzania and Burundi agreed to share the costs of the line.")
    three = ("Egypt, Ethiopia and Sudan resumed talks on the dam. "
             "Egypt, Ethiopia and Sudan agreed to meet again next month.")
    lead = ("Kenya and Uganda signed a railway deal. Kenya and Uganda will share its costs. "
            "Tanzania and Burundi sent observers to the ceremony.")
    got = dyads_of(four, three, lead)
    assert got[0] == set()
    assert got[1] == {("EGY", "ETH"), ("EGY", "SDN"), ("ETH", "SDN")}
    assert ("KEN", "UGA") in got[2]

    lex = default_lexicon()
    (loose,) = dyads_of(four, lexicon=replace(lex, settings={**lex.settings, "dyad_max_countries_tied_at_top": None}))
    assert len(loose) == 6


def test_a_sentence_listing_many_countries_is_no_evidence_for_their_pairs():
    story = ("Morocco offered Mali, Burkina Faso, Niger and Chad access to its Atlantic ports. "
             "The plan was discussed with Mali, Burkina Faso, Niger and Chad in Marrakech. "
             "Moroccan and Malian officials met again. Morocco and Mali signed a road deal. Rabat will pay for it.")
    (got,) = dyads_of(story)
    assert got == {("MAR", "MLI")}
    lex = default_lexicon()
    (loose,) = dyads_of(story, lexicon=replace(lex, settings={**lex.settings, "dyad_max_countries_per_sentence": None}))
    assert ("BFA", "MLI") in loose and ("MAR", "MLI") in loose


def _sectors_by_story(*texts: str) -> list[set[str]]:
    corpus, a = ann_of(*texts)
    order = list(corpus.articles["article_id"])
    got = a.sectors.groupby("article_id")["sector"].agg(set)
    return [got.get(aid, set()) for aid in order]


def test_airport_alone_is_a_place_not_aviation():
    landed, airline = _sectors_by_story(
        "President Hichilema was welcomed at Kigali International Airport by Prime Minister Nsengiyumva on Monday.",
        "The new airport will serve RwandAir and other airlines on direct flights to Lusaka from next year.",
    )
    assert "aviation" not in landed and "aviation" in airline
    # and in French: the airport as a place, air defence, versus an airline story
    place, defence, carrier = _sectors_by_story(
        "L'avion-cargo s'est posé sur le tarmac de l'aéroport de Niamey mardi soir, selon la télévision d'État.",
        "Les instructeurs russes ont livré un système de défense aérienne aux autorités de Niamey.",
        "La compagnie aérienne nationale ouvrira des vols directs vers l'aéroport de Dakar en juin.",
    )
    assert "aviation" not in place | defence and "aviation" in carrier


def test_words_said_in_passing_need_another_cue_of_their_sector():
    """Construction, farmers, the pandemic, violence, businesses: said once in a story about
    something else they are not its sector; beside another cue of that sector they are."""
    passing, roads, farms, covid = _sectors_by_story(
        "Egypt and Sudan discussed the dam on the Nile while farmers watched the river rise. "
        "Construction of the dam went on despite the pandemic, and businesses in Khartoum stayed open.",
        "Kenya and Uganda agreed to rebuild the roads to the border and to extend the railway to Kampala.",
        "Ghana's farmers will sell more cocoa under the new agriculture plan.",
        "Rwanda's health ministry said the pandemic had slowed, and the outbreak had ended.",
    )
    assert not passing & {"infrastructure_transport", "agriculture", "health", "economy_investment"}
    assert "infrastructure_transport" in roads
    assert "agriculture" in farms
    assert "health" in covid


def test_needs_support_drops_only_unsupported_cues():
    from diplokit.annotate import drop_unsupported_cues

    t = pd.DataFrame({
        "article_id": ["a", "a", "b", "b", "c"],
        "sector": ["aviation", "trade", "aviation", "aviation", "aviation"],
        "cue": ["airport", "trade", "Airport", "airline", "airline"],
    })
    kept = drop_unsupported_cues(t, {"aviation": frozenset({"airport"})})
    assert kept[["article_id", "cue"]].values.tolist() == [["a", "trade"], ["b", "Airport"], ["b", "airline"], ["c", "airline"]]
    assert drop_unsupported_cues(t, {}) is t


def test_words_that_only_look_like_sector_cues():
    short, race, vaccine, court = _sectors_by_story(
        "Le gouvernement tchadien a pris de court les observateurs en dénonçant l'accord avec Paris jeudi.",
        "Evenepoel won the time trial in Kigali on Sunday ahead of riders from twelve countries.",
        "Rwanda began a clinical trial of an experimental vaccine against the Marburg virus last month.",
        "The Constitutional Court rejected the appeal, and the opposition said it would go to court again.",
    )
    assert "justice_rule_of_law" not in short | race | vaccine and "justice_rule_of_law" in court


def test_diplomacy_is_found_in_ordinary_diplomatic_wording():
    en, fr = _sectors_by_story(
        "South Africa's ambassador was declared persona non grata and recalled by Pretoria on Friday.",
        "Le chef de la diplomatie algérienne a reçu son homologue malien à Alger pour des entretiens.",
    )
    assert "diplomacy_multilateral" in en and "diplomacy_multilateral" in fr


def test_country_names_inside_hyphenated_names_and_honours():
    got = mentions_of("La ministre Arlette Soudan-Nonault a reçu l'ambassadeur. Modi received the Grand Commander of the Order of the Niger in Abuja.")
    assert "SDN" not in {e for _, e, _ in got} and "NER" not in {e for _, e, _ in got}
    pair = mentions_of("Rwanda-Uganda relations improved after the border reopened in 2022.")
    assert {"RWA", "UGA"} <= {e for _, e, _ in pair}


def test_french_forces_plural_names_the_national_force():
    got = {e for _, e, _ in mentions_of("Les forces rwandaises et les forces françaises ont été citées dans le rapport.")}
    assert {"rdf", "french_armed_forces"} <= got


def _unlisted(a) -> list[tuple[str, str, str, str]]:
    """Unlisted people (organisations: see test_unlisted_orgs.py)."""
    m = a.mentions[a.mentions["entity_id"].str.startswith("new:") & a.mentions["entity_type"].eq("person")]
    return list(zip(m["surface"], m["entity_id"], m["entity_name"], m["match"]))


def test_people_introduced_with_a_title_are_mentions_even_when_unlisted():
    corpus, a = ann_of(
        "Health Minister Qwenda Mbolo toured the plant. Mbolo said it would open in May. "
        "Later Mrs Mbolo flew home. Tsiory Mbolo, a farmer, is no relation.",
        "South Africa's defence minister, Lindiwe Xoluva, told lawmakers the deployment would go on.",
        "Le ministre nigérien du Pétrole, Abdou Kaltané, a reçu l'ambassadeur. Selon M. Kaltané, rien n'est signé.",
    )
    got = _unlisted(a)
    assert ("Qwenda Mbolo", "new:qwenda_mbolo", "Qwenda Mbolo", "unlisted") in got
    assert ("Mbolo", "new:qwenda_mbolo", "Qwenda Mbolo", "surname") in got
    assert ("Mrs Mbolo", "new:qwenda_mbolo", "Qwenda Mbolo", "title_surname") in got
    assert ("Lindiwe Xoluva", "new:lindiwe_xoluva", "Lindiwe Xoluva", "unlisted") in got
    assert ("Abdou Kaltané", "new:abdou_kaltane", "Abdou Kaltané", "unlisted") in got
    assert ("M. Kaltané", "new:abdou_kaltane", "Abdou Kaltané", "title_surname") in got
    # Another first name before the surname is another person; it is not resolved.
    assert not any(s.startswith("Tsiory") or (s == "Mbolo" and m != "surname") for s, *_, m in got)
    assert [s for s, *_ in got].count("Mbolo") == 1
    m = a.mentions[a.mentions["entity_id"].str.startswith("new:")]
    assert (m["entity_type"] == "person").all() and m["country"].isna().all()
    # Listed in candidates too (what to add to the lexicons), with how they were found.
    reasons = dict(zip(a.candidates["name"], a.candidates["reason"]))
    assert reasons["Qwenda Mbolo"] == "name after a title"
    assert reasons["Lindiwe Xoluva"] == reasons["Abdou Kaltané"] == "name in apposition to a title"
    # The countries are still there; the unlisted people bear none.
    assert {"ZAF", "NER"} <= set(a.mentions["entity_id"])


def test_people_after_a_demonym_a_particle_or_headed_by_are_mentions_even_when_unlisted():
    """A demonym between a French title and the name ("l'ancien président tchadien X"); a
    particle glued to a surname ("Kamel al-Wazir"); a name after "headed by" / "dirigée
    par"; "fondateur" as a title. A lower-case word that is not a demonym between title
    and name ("le ministre des Transports Nord") makes no one."""
    _, a = ann_of(
        "L'ancien président tchadien Hissène Zamba est décédé mardi. Zamba avait 79 ans. "
        "Le ministre des Transports, Kamel al-Wazir, a parlé. Selon M. al-Wazir, le réseau sera prêt. "
        "Ethio Connect, dirigée par Frehiwot Alemu, a investi. Le fondateur d'Air Kivu, Allen Oyema, a parlé.",
        "The ministry, headed by Monica Azuba Ntoge, defended the plan. The minister met Prime Minister Abiy Ahmed.",
        "Le ministre des Transports Nord a parlé.",
    )
    got = _unlisted(a)
    for name in ("Hissène Zamba", "Kamel al-Wazir", "Frehiwot Alemu", "Allen Oyema", "Monica Azuba Ntoge"):
        assert any(s == name and m == "unlisted" for s, _, _, m in got), name
    assert ("M. al-Wazir", "new:kamel_al_wazir", "Kamel al-Wazir", "title_surname") in got
    assert ("Zamba", "new:hissene_zamba", "Hissène Zamba", "surname") in got
    assert not any("Nord" in s or "Transports" in s for s, *_ in got)
    reasons = dict(zip(a.candidates["name"], a.candidates["reason"]))
    assert reasons["Monica Azuba Ntoge"] == reasons["Frehiwot Alemu"] == "name after a phrase such as 'headed by'"
    assert reasons["Hissène Zamba"] == "name after a title"


def test_people_after_a_portfolio_list_a_demonym_noun_or_an_occupation_are_mentions():
    """A portfolio that is a list ("le ministre de l'Énergie, du Pétrole et des Mines,
    X"); a French demonym used as a noun ("le Mauritanien X", "l'Émirien X"); an
    occupation used like a title ("the businessman X", "Slovenian rider X"). A lower-case
    demonym (an adjective), a single word, or a capitalised word after a comma in the role
    phrase ("Mines, Kigali") make no one."""
    _, a = ann_of(
        "Le ministre de l'Énergie, du Pétrole et des Mines, Birame Soulama Dioup, a salué une étape. "
        "Le chef de la mission, le Mauritanien El-Ghali Wanou, a prévenu le Conseil. Wanou a insisté. "
        "Le président de la fédération, l'Émirien Mohammed Ben Sulaymi, a salué l'ambition du pays. "
        "L'écrivain Boualem Sansoni a été arrêté. Le Rwandais Kagabo a parlé.",
        "South Africa's minister of agriculture, land reform and rural development, Thoko Didizo, said it. "
        "The refinery belongs to the businessman Aliko Dangoto. Slovenian rider Tadej Pogacor won the race. "
        "The minister of trade, industry, Kigali Heights said, would host the talks.",
    )
    got = _unlisted(a)
    for name in ("Birame Soulama Dioup", "El-Ghali Wanou", "Mohammed Ben Sulaymi", "Boualem Sansoni",
                 "Thoko Didizo", "Aliko Dangoto", "Tadej Pogacor"):
        assert any(s == name and m == "unlisted" for s, _, _, m in got), name
    assert ("Wanou", "new:el_ghali_wanou", "El-Ghali Wanou", "surname") in got
    assert not any("Kagabo" in s or "Kigali" in s for s, *_ in got)
    reasons = dict(zip(a.candidates["name"], a.candidates["reason"]))
    assert reasons["Birame Soulama Dioup"] == reasons["Thoko Didizo"] == "name in apposition to a title"
    assert reasons["El-Ghali Wanou"] == reasons["Mohammed Ben Sulaymi"] == "name after a demonym used as a noun"
    assert reasons["Aliko Dangoto"] == reasons["Tadej Pogacor"] == "name after a title"
    # The demonyms are still mentions of their countries.
    assert {"MRT", "ARE", "SVN", "ZAF"} <= set(a.mentions["entity_id"])


def test_people_after_a_long_portfolio_a_country_possessive_or_presided_over_by_are_mentions():
    """A French portfolio of up to eight words before the comma ("la ministre des Pêches et
    des Infrastructures maritimes et portuaires, X"); "la secrétaire au Commerce, X"; a
    country's possessive ("Italy's X Y"); "presided over by X Y". A place after a country's
    possessive ("Uganda's Lake Albert") is no one."""
    _, a = ann_of(
        "La ministre des Pêches et des Infrastructures maritimes et portuaires, Awa Ndiayo, a annoncé un audit. "
        "La secrétaire au Commerce, Gina Raimonda, a présidé un forum.",
        "The summit brought together Italy's Giuseppo Conti and other leaders. "
        "The chamber, presided over by Joanna Kerner, gave its verdict. Uganda's Lake Albert holds oil.",
    )
    got = _unlisted(a)
    for name in ("Awa Ndiayo", "Gina Raimonda", "Giuseppo Conti", "Joanna Kerner"):
        assert any(s == name and m == "unlisted" for s, _, _, m in got), name
    assert not any("Lake" in s for s, *_ in got)
    reasons = dict(zip(a.candidates["name"], a.candidates["reason"]))
    assert reasons["Giuseppo Conti"] == "name after a country's possessive"
    assert reasons["Joanna Kerner"] == "name after a phrase such as 'headed by'"
    assert {"ITA", "UGA"} <= set(a.mentions["entity_id"])  # the countries are still mentions


def test_people_after_a_title_and_its_portfolio_are_mentions():
    """"Minister of Innovation and Technology X Y": the portfolio ends with the word after
    its last "and", or with its last generic word ("Affairs", "Africa", "Development"); a
    portfolio with no name after it, or only one word, makes no one."""
    _, a = ann_of(
        "Minister of Innovation and Technology Getahon Mekurio said so. Minister of Mines and Minerals Development "
        "Paulo Kabuswi spoke. Regional Director for Africa Matshidisa Moeta agreed. Minister for Foreign Affairs "
        "Nalodi Pandori left. The Minister of Finance and Economic Planning said. Minister of Trade Kamau spoke."
    )
    got = {s: r for s, _, _, r in _unlisted(a)}
    assert got == dict.fromkeys(["Getahon Mekurio", "Paulo Kabuswi", "Matshidisa Moeta", "Nalodi Pandori"], "unlisted")
    assert set(a.candidates.loc[a.candidates["name"].isin(got), "reason"]) == {"name after a title and its portfolio"}


def test_a_surname_glued_after_a_capitalised_word_is_part_of_another_name():
    """"Reiss-Andersen" is not Inger Andersen; a particle before the hyphen is ("El-Sisi",
    "al-Burhan")."""
    got = mentions_of("The chair, Berit Reiss-Andersen, spoke. Reiss-Andersen left. El-Sisi met al-Burhan. Andersen of UNEP spoke.")
    assert ("Berit Reiss-Andersen", "new:berit_reiss_andersen", "unlisted") in got
    assert [s for s, i, _ in got if i == "inger_andersen"] == ["Andersen"]  # only the last one
    assert {i for _, i, _ in got} >= {"abdel_fattah_el_sisi", "abdel_fattah_al_burhan"}


def test_a_known_surname_after_a_title_and_before_another_name_is_a_first_name():
    """"President Duarte Pacheco" is not Cristina Duarte: the title's name goes on; a
    weekday after the surname does not make it a first name."""
    got = mentions_of("IPU President Duarte Pacheco opened the assembly. President Kagame Tuesday welcomed the delegates.")
    assert ("Duarte Pacheco", "new:duarte_pacheco", "unlisted") in got
    assert "cristina_duarte" not in {i for _, i, _ in got}
    assert ("President Kagame", "paul_kagame", "title_surname") in got


def test_what_follows_a_title_is_not_always_a_person():
    _, a = ann_of(
        "The minister said on Monday, Amnesty International had no access. "
        "President Paul Kagame met Minister Of State Affairs. Director UNICEF Programmes spoke. "
        "The envoy arrived in Dakar, Senegal Airlines said. Ambassador Kwame said little.",
    )
    assert _unlisted(a) == []  # a lexicon name, generic words, an acronym, one word only


def test_unlisted_people_can_be_switched_off():

    lex = default_lexicon()
    off = replace(lex, settings={**lex.settings, "unlisted_people": False})
    _, a = ann_of("Health Minister Qwenda Mbolo toured the plant.", lexicon=off)
    assert _unlisted(a) == [] and "Qwenda Mbolo" in set(a.candidates["name"])


def test_people_named_before_their_role_are_mentions_even_when_unlisted():
    corpus, a = ann_of(
        "Talks went on. Tembo Ngarisa, director general of the ports authority, said the berths would reopen. "
        "Ngarisa added that traffic was up. On Monday Alma Rudenko, Ukraine's deputy trade minister, arrived.",
        "Speaking in New York, President Paul Kagame said the talks were useful. "
        "The Lake Ports Authority, whose chief executive resigned, said nothing.",
        "Selon Awa Diallo-Ndour, la ministre de la Pêche, la campagne reprendra.",
    )
    got = _unlisted(a)
    assert ("Tembo Ngarisa", "new:tembo_ngarisa", "Tembo Ngarisa", "unlisted") in got
    assert ("Ngarisa", "new:tembo_ngarisa", "Tembo Ngarisa", "surname") in got
    assert ("Alma Rudenko", "new:alma_rudenko", "Alma Rudenko", "unlisted") in got  # "On Monday" is not part of it
    assert ("Awa Diallo-Ndour", "new:awa_diallo_ndour", "Awa Diallo-Ndour", "unlisted") in got
    # A place before a title that names someone else, and an organisation before "whose", are no one.
    assert not any("York" in s or "Authority" in s for s, *_ in got)
    reasons = dict(zip(a.candidates["name"], a.candidates["reason"]))
    assert reasons["Tembo Ngarisa"] == "name before a title in apposition"


def test_names_opening_with_a_given_name_are_people_even_without_a_title():
    corpus, a = ann_of(
        "The hearing resumed. Alain Zorbetti told the court he had seen the convoy. Zorbetti added nothing. "
        "Fatou Quenum, who heads the association, welcomed the verdict.",
        "Jean-Pierre Lubamba a salué l'accord, a indiqué Moussa Traorézi à Bamako.",
    )
    got = _unlisted(a)
    for name in ["Alain Zorbetti", "Fatou Quenum", "Jean-Pierre Lubamba", "Moussa Traorézi"]:
        assert any(s == name and m == "unlisted" for s, _, _, m in got), name
    assert ("Zorbetti", "new:alain_zorbetti", "Alain Zorbetti", "surname") in got
    reasons = dict(zip(a.candidates["name"], a.candidates["reason"]))
    assert reasons["Alain Zorbetti"] == "name opening with a given name"
    # A name found by a title rule is not reported twice.
    _, b = ann_of("Health Minister Alain Zorbetti toured the plant.")
    assert b.candidates["name"].tolist() == ["Alain Zorbetti"] and b.candidates["count"].tolist() == [1]


def test_given_names_do_not_make_places_prizes_or_parts_of_longer_names_people():
    _, a = ann_of(
        "Passengers landed at the Kenneth Qambo International Airport and drove down Uhuru Qwerty Highway. "
        "The Julius Quambe Hydropower Station opened. Ships left Port Louis Quay. "
        "Minister of State Thani ben Ahmed Zeyoudo spoke. Will Kenya sign? The Mark Quorbe Prize was awarded.",
        "Les blessés ont été évacués vers l'hôpital Joseph Ravoaqo. Le vol a atterri à l'aéroport international "
        "Kenneth Qambo. La messe a eu lieu près du mausolée de John Qarango.",
        "President Mohamed Bazoum met the envoy.",
    )
    got = {s for s, *_ in _unlisted(a)}
    for bad in ["Kenneth Qambo", "Uhuru Qwerty", "Julius Quambe", "Louis Quay", "Joseph Ravoaqo", "John Qarango", "Mark Quorbe"]:
        assert not any(bad in s for s in got), (bad, got)
    assert "Thani ben Ahmed Zeyoudo" in got and "Ahmed Zeyoudo" not in got  # the title rule's, whole
    assert "mohamed_bazoum" in set(a.mentions["entity_id"])


def test_users_add_given_names_from_a_notebook_or_a_file(tmp_path):
    text = "The hearing resumed. Tsiory Mbolozi told the court he had seen the convoy."
    _, a = ann_of(text)
    assert _unlisted(a) == []  # "Tsiory" is not a known given name
    _, a = ann_of(text, lexicon=default_lexicon().add_given_names(["Tsiory"]))
    assert [s for s, *_ in _unlisted(a)] == ["Tsiory Mbolozi"]
    (tmp_path / "given_names.yaml").write_text("given_names:\n  malagasy: [Tsiory]\nnot_given_names: [Alain]\n", encoding="utf-8")
    lex = Lexicon.load(tmp_path)
    assert "Tsiory" in lex.given_names() and "Alain" not in lex.given_names()
    assert lex.fingerprint() != default_lexicon().fingerprint()
    _, a = ann_of(text + " Alain Zorbetti agreed.", lexicon=lex)
    assert [s for s, *_ in _unlisted(a)] == ["Tsiory Mbolozi"]


def test_names_before_titles_prefilter_finds_what_every_title_finds():
    """The comma and capital-letter prefilter of ``names_before_titles`` only skips
    titles where the pattern cannot match."""
    import numpy as np

    from diplokit.annotate import compile_lexicon
    from diplokit.matching import codepoints
    from diplokit.unlisted import _NAME_REACH, _is_capital, names_before_titles

    compiled = compile_lexicon()
    text = (
        "Tembo Ngarisa, director general of the ports authority, said so. (Jo Bako, the envoy) left. "
        "Ursula van Leyen, the minister, spoke; Jean de la Croix Bako, ambassador to Kenya, too. "
        "x Ana Bo, minister; Kigali, President Ruto; Ana Bo Ce Du Ef, chief executive. Ana Bo,  minister."
    ) * 2
    cps = codepoints(text)
    starts = np.array([m.start() for m in re.finditer(r"minister|ambassador|envoy|director general|chief executive|President", text)])
    ends = np.array([m.end() for m in re.finditer(r"minister|ambassador|envoy|director general|chief executive|President", text)])
    got = [(s, m.span("name")) for s, _, m in names_before_titles(text, cps, starts, ends, compiled.name_before)]
    want = []
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e + 1 < len(text) and text[e] == " " and _is_capital(np.array([ord(text[e + 1])]))[0]:
            continue  # a title before a name is not a role
        c = text.rfind(", ", 0, s)
        m = compiled.name_before.search(text, max(c - _NAME_REACH, 0), s) if c >= 0 else None
        if m is not None:
            want.append((s, m.span("name")))
    assert got == want and len(want) >= 6


def test_places_and_surnames_inside_other_names():
    got = mentions_of(
        "In the final, Petro de Luanda beat the GS Pétroliers d'Alger and the Bank of Kigali sponsored the final. "
        "Kinshasa and Kigali traded accusations. Representatives of Kinshasa attended. "
        "Malawian Airlines and the Tanzania Ports Authority signed a deal; Malawian officials welcomed it. "
        "Le ministre gabonais Lee White a salué l'accord d'Alger et les Benin Bronzes. "
        "Il a montré son talon d'Achille."
    )
    ids = [e for _, e, _ in got]
    assert "AGO" not in ids and "DZA" not in ids  # a club's city, an accord
    assert ids.count("RWA") == 1 and ids.count("COD") == 2  # the bank's city; the governments
    assert ids.count("MWI") == 1 and "TZA" not in ids  # "Malawian officials" only
    assert "lee_jae_myung" not in ids and "BEN" not in ids and "patrice_talon" not in ids
    assert "GAB" in ids


def test_letters_with_a_stroke_fold_to_their_base_letter():
    from diplokit.unlisted import person_slug

    assert person_slug("Flemming Møller Mortensen") == "new:flemming_moller_mortensen"
    assert mentions_of("Le ministre Jan Møller a parlé. M. Moller est reparti.")[-1][1] == "new:jan_moller"


def test_a_name_two_countries_share_is_the_one_the_story_names():
    # "Congo" and "Congolese" stand for the Congo the story names otherwise: the latest
    # before (a person of it counts), else the first after; none named: no mention.
    assert mentions_of("President Félix Tshisekedi met Kenyan officials. Congo and Kenya signed a deal; the Congolese delegation left.") == [
        ("Félix Tshisekedi", "felix_tshisekedi", "name"), ("Kenyan", "KEN", "demonym"),
        ("Congo", "COD", "alias"), ("Kenya", "KEN", "name"), ("Congolese", "COD", "demonym"),
    ]
    assert mentions_of("Congo said the talks would resume. Brazzaville hosted them, and the DRC sent a minister.") == [
        ("Congo", "COG", "alias"), ("Brazzaville", "COG", "capital"), ("DRC", "COD", "acronym"),
    ]
    assert mentions_of("Congo and Angola signed a deal. The Congolese delegation left Luanda on Monday.") == [("Angola", "AGO", "name")]
    # a place phrase that settles it is an alias
    assert mentions_of("Kenya sent troops to eastern Congo on Monday.") == [("Kenya", "KEN", "name"), ("eastern Congo", "COD", "alias")]
    # the groups are data: without them, "Congo" is no one's

    lex = default_lexicon()
    plain = replace(lex, settings={**lex.settings, "shared_country_names": []})
    assert mentions_of("Félix Tshisekedi said Congo would sign.", lexicon=plain) == [("Félix Tshisekedi", "felix_tshisekedi", "name")]
    # a group of the user's own, with an acronym-shaped name, resolves the same way
    own = replace(lex, settings={**lex.settings, "shared_country_names": [{"countries": ["COD", "COG"], "alias": ["RC"]}]})
    assert mentions_of("Félix Tshisekedi said RC would sign.", lexicon=own) == [("Félix Tshisekedi", "felix_tshisekedi", "name"), ("RC", "COD", "acronym")]


def test_regional_courts_and_libyan_factions_are_their_own_actors():
    got = {e for _, e, _ in mentions_of(
        "Uganda took Kenya to the East African Court of Justice (EACJ). The Government of National Accord "
        "and the Libyan National Army (LNA) met. The GNA said the LNA had withdrawn."
    )}
    assert {"east_african_court_of_justice", "government_of_national_accord", "libyan_national_army"} <= got
    assert "african_court" not in got  # "African Court" inside the EACJ's name
