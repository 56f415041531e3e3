"""A reference family as a Familias ``.fam`` file, for a DNA analyst (issue 18, item 5).

The file holds the family's pedigree (members by their pedigree codes, never
by name), the current consented profiles and the frequency database of the
typed loci, as a Familias DVI file without unidentified persons; it can be
opened in Familias 3 or read by dvir to check the family outside Imena.
"""

from __future__ import annotations

import warnings
from typing import Any

from imena.identification.screening import _markers_json, canonical_genotypes
from imena.missing.records import family_as_case_dict
from kinship import KinshipError, load_case
from kinship.familias import write_fam_dvi


def family_fam_document(person: Any) -> tuple[bytes, str, list[str]]:
    """Return the ``.fam`` bytes of the person's family, a file name and warnings.

    Raises :class:`KinshipError` when the family cannot be written (no
    missing person on the pedigree, a member of unknown sex, a code that is
    not printable ASCII).
    """
    fam = family_as_case_dict(person)
    if not fam.get("missing"):
        raise KinshipError("the pedigree has no missing person")
    genotypes = {k: canonical_genotypes(v) for k, v in fam["genotypes"].items()}
    loci = {locus for g in genotypes.values() for locus in g}
    name = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_") else "_"
        for c in str(person.case_no)
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        case = load_case(
            {
                "markers": _markers_json(loci, "none", 0.0),
                "pm": {},
                "am": {
                    name: {
                        "id": fam["id"],
                        "fid": fam["fid"],
                        "mid": fam["mid"],
                        "sex": fam["sex"],
                        "genotypes": genotypes,
                    }
                },
                "missing": [fam["missing"]],
            }
        )
        text = write_fam_dvi(case, database="NorskDB_v2023")
    notes = [str(w.message) for w in caught]
    return text.encode("ascii"), f"family-{name}.fam", notes
