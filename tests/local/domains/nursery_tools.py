from typing import Literal

_STOCK = {"lavender": 40, "rosemary": 12, "hydrangea": 0}


def plant_stock(species: str) -> str:
    """Say how many pots of a plant species the nursery has.

    Args:
        species: The plant species, for example lavender.
    """
    count = _STOCK.get(species.lower().rstrip("s"))
    if count is None:
        return f"We don't grow {species} here."
    return f"We have {count} pots of {species}." if count else f"Sorry, {species} is sold out until spring."


def hold_seedlings(variety: str, trays: int, pickup_day: str) -> str:
    """Put trays of seedlings aside for collection.

    Args:
        variety: The seedling variety, for example cherry tomato.
        trays: How many trays.
        pickup_day: The day the customer collects them.
    """
    return f"{trays} trays of {variety} held for {pickup_day}."


def care_tips(plant: str, sunlight: Literal["shade", "partial", "full sun"] = "partial") -> str:
    """Give watering and pruning tips for a plant.

    Args:
        plant: The plant to look after.
        sunlight: How much sun the spot gets.
    """
    return f"Water {plant} weekly; in {sunlight} it needs little pruning."


def site_visit(postcode: str, visit_day: str) -> str:
    """Arrange a designer's visit to a garden.

    Args:
        postcode: The garden's postcode, for example BS7 8QT.
        visit_day: The day of the visit.
    """
    return f"Designer visiting {postcode} on {visit_day}."
