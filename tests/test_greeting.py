"""Which name to greet them by: the candidates, their features, the shipped model and training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from drafter.errors import ConfigError
from drafter.reader.greeting import (
    GreetingModel,
    NameCase,
    choose_greeting,
    load_greeting_model,
    load_name_cases,
    train_greeting,
)
from drafter.text.names import GREETING_FEATURES, greeting_candidates, greeting_features


def _names(full_name: str, notes: str) -> tuple[str, list[str]]:
    rule, candidates = greeting_candidates(full_name, notes)
    return rule, [c.name for c in candidates]


def _feature(full_name: str, notes: str, name: str, feature: str) -> float:
    _, candidates = greeting_candidates(full_name, notes)
    row = next(i for i, c in enumerate(candidates) if c.name == name)
    return float(greeting_features(full_name, notes, candidates)[row, GREETING_FEATURES.index(feature)])


def test_candidates_are_every_other_name_the_message_could_use() -> None:
    rule, names = _names(
        "Deborah Lindqvist", "- Deborah L. -> 'Deb' (her words)\n- ops director, Minneapolis"
    )
    assert rule == "Deborah" and "Deborah" not in names  # the rules' answer is not a candidate
    assert {"Deb", "Lindqvist", "Minneapolis"} <= set(names)
    # a name written in capitals is a name, as a name is written
    assert "Bobby" in _names("Robert Kaminski", "his badge literally said BOBBY in sharpie")[1]
    rule, names = _names(
        "Nadia Haddad", "Nadia chaired; Dr. Okafor spoke first. Prof. Lena Berg Dahl closed."
    )
    assert rule == "Nadia" and {"Dr. Okafor", "Prof. Lena", "Prof. Lena Berg"} <= set(names)
    assert "Dr" not in names and "Dr. Okafor spoke" not in names  # a title is no name


def test_features_say_what_the_notes_say_of_each_candidate() -> None:
    notes = "- Nikolaus Bauer, brewery in Bamberg\n- 'Klaus reicht' = Klaus is enough, he said"
    assert _feature("Nikolaus Bauer", notes, "Klaus", "shared_run") == pytest.approx(0.8)  # "laus"
    assert _feature("Nikolaus Bauer", notes, "Bamberg", "shared_run") < 0.5
    assert _feature("Nikolaus Bauer", notes, "Klaus", "quoted") == 1.0
    family = "Met Thomas Berger at the expo, his son Danny was with him."
    assert _feature("Thomas Berger", family, "Danny", "after_who_someone_is") == 1.0
    assert _feature("Thomas Berger", family, "Berger", "own_word") == 1.0
    cued = "Katherine Doyle, goes by Kate, runs the studio."
    assert _feature("Katherine Doyle", cued, "Doyle", "after_cue") == 0.0
    rows = greeting_features("Ann Lee", "Ann and Jo", greeting_candidates("Ann Lee", "Ann and Jo")[1])
    assert rows.shape[1] == len(GREETING_FEATURES)


def test_the_shipped_model_keeps_the_rules_answer_when_the_notes_say_nothing_else() -> None:
    assert (
        choose_greeting("Thomas Berger", "Met Thomas at the expo; his colleague Tommy ran the stand.")
        == "Thomas"
    )
    assert choose_greeting("Prof. Elena Rossi", "Her keynote on Roman concrete was superb.") == "Prof. Rossi"
    assert choose_greeting("Ann Lee") == "Ann"  # no notes: the rules alone


def _model(weights: dict[str, float], threshold: float = 0.5) -> GreetingModel:
    w = np.array([weights.get(f, 0.0) for f in GREETING_FEATURES])
    n = len(GREETING_FEATURES)
    return GreetingModel(weights=w, bias=-2.0, mean=np.zeros(n), scale=np.ones(n), threshold=threshold)


def test_another_name_replaces_the_rules_answer_only_above_the_threshold() -> None:
    notes = "Nikolaus Bauer, brewery in Bamberg. 'Klaus reicht', he said."
    sure = _model({"shared_run": 4.0, "quoted": 2.0})  # Klaus: 0.8 * 4 + 2 - 2 = 3.2
    assert choose_greeting("Nikolaus Bauer", notes, model=sure) == "Klaus"
    assert choose_greeting(
        "Nikolaus Bauer", notes, model=_model({"shared_run": 4.0, "quoted": 2.0}, 0.99)
    ) == ("Nikolaus")


def _case(i: int, contact: str, notes: str, greet: str, split: str) -> NameCase:
    return NameCase(f"{split}-{i}", contact, notes, greet, split, "names")


def test_training_learns_from_the_cases_and_writes_a_model_that_loads(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    given = ["Nikolaus", "Margarethe", "Guillermo", "Przemysław", "Yekaterina", "Alejandro"]
    short = ["Klaus", "Gretl", "Memo", "Przemek", "Katya", "Álex"]
    cases: list[NameCase] = []
    for split in ("train", "dev"):
        for i, (name, nick) in enumerate(zip(given, short, strict=True)):
            who = f"{name} Novak{i}{split}"
            cases.append(_case(i, who, f"{name} from the fair. '{nick}' is what everyone says.", nick, split))
            cases.append(_case(10 + i, who, f"{name} from the fair, with the Oslo team.", name, split))
    out = tmp_path / "greeting.npz"
    figures = train_greeting(cases, out=out)
    assert figures["dev_right"] > figures["dev_rules_right"]
    model = load_greeting_model(out)
    assert (
        choose_greeting("Bartholomew Ek", "Bartholomew, 'Bart' is what everyone says.", model=model) == "Bart"
    )
    assert choose_greeting("Bartholomew Ek", "Bartholomew, from the Oslo team.", model=model) == "Bartholomew"


def test_a_model_of_other_features_asks_for_a_retrain(tmp_path: Path) -> None:
    path = tmp_path / "greeting.npz"
    np.savez(path, weights=np.zeros(2), bias=np.zeros(1), mean=np.zeros(2), scale=np.ones(2),
             threshold=np.ones(1), features=np.array(["a", "b"]))  # fmt: skip
    with pytest.raises(ConfigError, match="retrain"):
        load_greeting_model(path)


def test_a_missing_model_says_how_to_get_it_back(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="drafter eval names --train"):
        load_greeting_model(tmp_path / "nowhere.npz")


def test_a_broken_case_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "names_x.jsonl"
    path.write_text(json.dumps({"contact": "Ann Lee", "greet": "Ann"}) + "\n{}\n", encoding="utf-8")
    with pytest.raises(Exception, match="names_x.jsonl, line 2"):
        load_name_cases([path], with_notes=False)


def test_the_shipped_cases_keep_people_apart_across_splits() -> None:
    # a person in the dev or held-out greetings is never trained on
    cases = load_name_cases(with_notes=False)
    train = {c.contact.lower() for c in cases if c.split == "train"}
    others = {c.contact.lower() for c in cases if c.split in ("dev", "test")}
    assert train and others and not train & others
