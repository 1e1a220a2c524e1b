"""Organisations the lexicons do not list, found by their names (diplokit/unlisted_orgs.py)."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

import diplokit
from diplokit.annotate import annotate, compile_lexicon
from diplokit.lexicon import default_lexicon
from diplokit.unlisted_orgs import acronym_fits, name_after_lead, org_name_at


def _name(sentence: str, head: str, french: bool = False, known: tuple[str, ...] = ()) -> tuple[str, str | None] | None:
    rules = compile_lexicon().org_rules
    starts = {sentence.index(k) for k in known}
    ends = {sentence.index(k) + len(k) for k in known}
    r = org_name_at(sentence, sentence.index(head), rules, french, lambda p: p in starts, lambda p: p in ends)
    return None if r is None else (sentence[r[0]:r[1]], r[2])


def test_a_name_is_the_run_of_capitalised_words_around_its_head_word():
    assert _name("On Monday the Tanzania Ports Authority said berths were full.", "Authority") == ("Tanzania Ports Authority", None)
    assert _name("Students at the University of Nairobi, he said.", "University") == ("University of Nairobi", None)
    assert _name("The Ministry of Mines and Minerals Development said so.", "Ministry") == ("Ministry of Mines and Minerals Development", None)
    assert _name("Kenya's National Assembly voted.", "Assembly") == ("National Assembly", None)  # not "Kenya's"
    assert _name("The UN Support Office in Somalia pays.", "Office") == ("UN Support Office", None)  # "UN" is not "un"
    assert _name("Its 73rd Congress opened.", "Congress") is None  # one word after the number
    assert _name("Bank officials said.", "Bank") is None  # one word


def test_french_names_can_end_with_adjectives_before_a_clause_boundary():
    assert _name("Le Ministère des Affaires étrangères a protesté.", "Ministère", True) == ("Ministère des Affaires étrangères", None)
    assert _name("Selon la Cour suprême, le texte est valide.", "Cour", True) == ("Cour suprême", None)
    assert _name("Le Conseil constitutionnel a validé le scrutin.", "Conseil", True) == ("Conseil constitutionnel", None)
    assert _name("Il a saisi le Conseil constitutionnel", "Conseil", True) == ("Conseil constitutionnel", None)
    # no boundary after the adjective, a participle, a demonym (the country's), English
    assert _name("La Banque centrale finance le projet.", "Banque", True) is None
    assert _name("Le Mouvement populaire dirigé par Malik Agor a signé.", "Mouvement", True) is None
    assert _name("La présidente du Conseil italien a été reçue.", "Conseil", True, known=("italien",)) is None
    assert _name("The Council concerned said so.", "Council") is None


def test_and_joins_words_of_one_name_but_not_two_names():
    s = "Flights by Malawi Airlines and Zambia Airways resumed."
    assert _name(s, "Airlines") == ("Malawi Airlines", None)
    assert _name(s, "Airways") == ("Zambia Airways", None)
    s = "Officials of Kenya and Tanzania Ports Authority met."
    assert _name(s, "Authority", known=("Kenya", "Tanzania")) == ("Tanzania Ports Authority", None)
    assert _name("The Midstream and Downstream Regulatory Authority said.", "Authority") == ("Midstream and Downstream Regulatory Authority", None)
    # a listed name before "and"/"et" is a name of its own: two airlines, not one
    s = "Les vols d'Air Tanzania et Precision Air ont repris."
    assert _name(s, "Air ont", french=True, known=("Air Tanzania",)) == ("Precision Air", None)
    assert _name(s, "Air ont", french=True) == ("Air Tanzania et Precision Air", None)  # unknown: one name


def test_an_acronym_in_brackets_counts_only_if_the_name_spells_it():
    assert acronym_fits("Kenya Private Sector Alliance", "KEPSA") and acronym_fits("Kenya Space Agency", "KSA")
    assert not acronym_fits("Space Agency", "KSA") and not acronym_fits("Kenya Space Agency", "NASA")
    assert _name("The Kenya Space Agency (KSA) said.", "Agency") == ("Kenya Space Agency", "KSA")
    assert _name("The Kenya Space Agency (NASA) said.", "Agency") == ("Kenya Space Agency", None)


def test_french_names_take_lower_case_words_after_their_head_word():
    s = "Selon l'Agence nationale de sécurité sanitaire (ANSS), le virus recule."
    assert _name(s, "Agence", french=True) == ("Agence nationale de sécurité sanitaire", "ANSS")
    assert _name("Le Tribunal criminel de Dixinn a rendu son verdict.", "Tribunal", french=True) == ("Tribunal criminel de Dixinn", None)
    assert _name("La Société des mines de l'Air (Somaïr) exporte.", "Société", french=True) == ("Société des mines de l'Air", None)
    # a verb ends the name (after its adjective); in an English story lower-case words never join it
    assert _name("La Cour constitutionnelle a depuis confirmé la victoire de M. Touadéra.", "Cour", french=True) == ("Cour constitutionnelle", None)
    assert _name("La Cour a depuis confirmé la victoire de M. Touadéra.", "Cour", french=True) is None
    assert _name("The Office said on Monday that the Kenya delegation left.", "Office") is None
    # a year after a lower-case word is a date, not part of the name; a number between names is
    assert _name("Les deux États avaient saisi la Cour en 2021 par un compromis.", "Cour", french=True) is None
    assert _name("Le Stade du 28 Septembre a rouvert.", "Stade", french=True) == ("Stade du 28 Septembre", None)


def _orgs(a) -> list[tuple[str, str, str]]:
    m = a.mentions
    m = m[m["entity_type"].eq("organization") & m["entity_id"].str.startswith("new:")]
    return list(zip(m["surface"], m["entity_id"], m["match"]))


def test_unlisted_organisations_are_mentions_with_their_acronyms():
    text = (
        "The Kenya Space Agency (KSA) launched a satellite with the World Bank. KSA engineers and Kenya's "
        "president watched; the Kenya Space Agency thanked the Japan Aerospace Exploration Agency."
    )
    corpus = diplokit.load_corpus(pd.DataFrame({"text": [text]}))
    a = annotate(corpus)
    assert _orgs(a) == [
        ("Kenya Space Agency", "new:kenya_space_agency", "unlisted"),
        ("KSA", "new:kenya_space_agency", "acronym"),
        ("KSA", "new:kenya_space_agency", "acronym"),
        ("Kenya Space Agency", "new:kenya_space_agency", "unlisted"),
        ("Japan Aerospace Exploration Agency", "new:japan_aerospace_exploration_agency", "unlisted"),
    ]
    m = a.mentions
    # the countries inside the names are not mentions; "Kenya's president" is; the World Bank is the lexicon's
    assert list(m.loc[m["entity_id"].eq("KEN"), "surface"]) == ["Kenya"]
    assert "JPN" not in set(m["entity_id"]) and "world_bank" in set(m["entity_id"])
    cand = a.candidates.set_index("name")
    assert cand.loc["Kenya Space Agency", "count"] == 2 and cand.loc["Kenya Space Agency", "reason"] == "organisation name with a head word"
    text = corpus.articles["text"].iloc[0]
    assert all(text[s:e] == surf for s, e, surf in zip(m["start"], m["end"], m["surface"]))


def test_names_holding_a_person_or_a_not_entity_are_not_new_organisations():
    a = annotate(diplokit.load_corpus(pd.DataFrame({"text": [
        "He spoke in the Oval Office. The Paul Kagame Foundation Trust grew.",
    ]})))
    assert _orgs(a) == []


def test_a_listed_organisation_before_and_is_not_part_of_a_new_one():
    c = diplokit.load_corpus(pd.DataFrame({"text": ["Les vols d'Air Tanzania et Precision Air vers Nairobi ont repris lundi, selon les deux compagnies."], "lang": ["fr"]}))
    ids = set(annotate(c).mentions["entity_id"])
    assert {"air_tanzania", "new:precision_air"} <= ids
    assert not any("et_precision" in i for i in ids)


def test_unlisted_organisations_can_be_switched_off():
    lex = default_lexicon()
    off = replace(lex, settings={**lex.settings, "organisation_heads": {}})
    corpus = diplokit.load_corpus(pd.DataFrame({"text": ["The Tanzania Ports Authority said so."]}))
    assert _orgs(annotate(corpus, off)) == []
    assert _orgs(annotate(corpus)) == [("Tanzania Ports Authority", "new:tanzania_ports_authority", "unlisted")]


def _after_lead(sentence: str, lead: str, french: bool = False) -> str | None:
    rules = compile_lexicon().org_rules
    r = name_after_lead(sentence, sentence.index(lead) + len(lead), rules, french)
    return None if r is None else sentence[r[0]:r[1]]


def test_a_name_right_after_a_company_noun_is_an_organisation():
    assert _after_lead("The plant was built by the Turkish contractor Yolcu Yapi, officials said.", "contractor") == "Yolcu Yapi"
    assert _after_lead("Le pont a été construit par le groupe sud-coréen Hanil Engineering & Construction.", "groupe", True) == "Hanil Engineering & Construction"
    assert _after_lead("les filiales du géant américain Orchard, accusées de fraude", "géant", True) == "Orchard"
    assert _after_lead("la société civile de Bukavu a protesté", "société", True) is None  # a connector: no company
    assert _after_lead("the company Monday said it would appeal", "company") is None  # a stop word opens no name
    assert _after_lead("the miner Kivu Gold's shares fell", "miner") == "Kivu Gold"  # not the possessive
    assert _after_lead("un groupe de la Banque mondiale", "groupe", True) is None


def test_companies_named_after_a_company_noun_are_found_in_stories():
    text = (
        "Namibia chose the German developer Solvento as preferred bidder for the plant. "
        "Solvento said work would start next year, and the company said it would hire locally. "
        "The Chinese firm Huawei will supply the network."
    )
    a = annotate(diplokit.load_corpus(pd.DataFrame({"text": [text]})))
    orgs = a.mentions[a.mentions["entity_type"] == "organization"]
    assert orgs["surface"].tolist().count("Solvento") == 2
    assert set(orgs["entity_id"]) >= {"new:solvento"}
    assert "Huawei" not in set(orgs.loc[orgs["entity_id"].str.startswith("new:"), "surface"])  # listed, or not new
    assert (a.candidates.set_index("name").loc["Solvento", "reason"]) == "organisation name after a company noun"


def _ids(text: str) -> set[str]:
    """The entity ids annotated in one story."""
    return set(annotate(diplokit.load_corpus(pd.DataFrame({"text": [text]}))).mentions["entity_id"])


def test_venues_are_places_not_organisations():
    text = (
        "The summit opened at the Nyarutarama Convention Centre on Monday, the Tanzania Ports Authority said. "
        "La réunion se tient au Palais des congrès de Bafoussam."
    )
    ids = _ids(text)
    assert "new:tanzania_ports_authority" in ids
    assert not any("convention" in i or "palais" in i for i in ids)


def test_unions_services_forces_observatories_and_summits_are_named_organisations():
    assert _name("The Progressive Teachers' Union of Zambora said so.", "Union") == ("Progressive Teachers' Union of Zambora", None)
    assert _name("The Qalundi Health Service sent nurses.", "Service") == ("Qalundi Health Service", None)
    assert _name("The Qalundi Defence Forces deployed.", "Forces") == ("Qalundi Defence Forces", None)
    assert _name("Astronomers at the Entoto Radio Observatory agreed.", "Observatory") == ("Entoto Radio Observatory", None)
    assert _name("Leaders met at the Africa Climate Summit in Nairobi.", "Summit") == ("Africa Climate Summit", None)


def test_a_portfolio_before_minister_and_an_air_base_are_not_organisations():
    text = (
        "Public Service Minister Tendai Qaro said the scheme was legal. "
        "The drones flew from Qalundi Air Base, the Qalundi Health Service said."
    )
    ids = _ids(text)
    assert "new:qalundi_health_service" in ids
    assert not {"new:public_service", "new:qalundi_air_base"} & ids
