"""The kinds of study a campaign can hold: adding a kind is one line here (and its own files,
see docs/architecture.md, "How to add a kind of study")."""

from __future__ import annotations

from wavelearn.campaign.eigenstates import EigenstateKind
from wavelearn.campaign.kinds import DEFAULT_KIND, StudyKind
from wavelearn.campaign.manybody import ManybodyKind
from wavelearn.campaign.transport import TransportKind
from wavelearn.errors import ParameterError

KINDS: dict[str, StudyKind] = {kind.name: kind for kind in (
    EigenstateKind(),
    TransportKind(),
    ManybodyKind(),
)}

assert DEFAULT_KIND in KINDS


def get_kind(name: str) -> StudyKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ParameterError(f"kind={name!r} is not one of {', '.join(KINDS)}") from None
