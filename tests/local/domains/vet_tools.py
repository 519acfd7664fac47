from typing import Literal


def vet_visit(pet_name: str, species: Literal["dog", "cat", "rabbit", "bird"], visit_day: str,
              visit_hour: str = "") -> str:
    """Arrange a visit to the vet for a pet.

    Args:
        pet_name: The pet's name.
        species: What kind of animal it is.
        visit_day: The day of the visit.
        visit_hour: The hour of the visit.
    """
    return f"{pet_name} the {species} will be seen on {visit_day} {visit_hour}."


def vaccination_record(pet_name: str) -> str:
    """Read out a pet's vaccination record.

    Args:
        pet_name: The pet's name.
    """
    if pet_name.lower() not in ("rex", "bella", "milo"):
        return f"No pet called {pet_name} is registered with us."
    return f"{pet_name} is vaccinated until next spring."


def prescription_refill(medicine: str, doses: int) -> str:
    """Refill a pet's prescription.

    Args:
        medicine: The medicine to refill, for example carprofen.
        doses: How many doses.
    """
    return f"{doses} doses of {medicine} ready for collection."


def triage(symptom: str, urgency: Literal["critical", "urgent", "stable"]) -> str:
    """Record an emergency and how urgent it is.

    Args:
        symptom: What is wrong with the pet.
        urgency: How urgent the case is.
    """
    return f"{urgency}: {symptom}; a vet is on the way."
