from typing import Literal


def enrol_class(workout: Literal["yoga", "spin", "pilates", "boxing"], class_day: str, start_hour: str) -> str:
    """Enrol the member in a group workout class.

    Args:
        workout: The kind of class.
        class_day: The day of the class.
        start_hour: When the class starts.
    """
    return f"Enrolled in {workout} on {class_day} at {start_hour}."


def pause_membership(weeks: int) -> str:
    """Pause a gym membership for some weeks.

    Args:
        weeks: How many weeks to pause, from 1 to 12.
    """
    return f"Membership paused for {weeks} weeks."


def trainer_profile(trainer_name: str) -> str:
    """Tell the member about one of the gym's personal trainers.

    Args:
        trainer_name: The trainer's name.
    """
    if trainer_name.lower() not in ("marco", "priya"):
        return f"We have no trainer called {trainer_name}; our trainers are Marco and Priya."
    return f"{trainer_name} coaches strength and mobility on weekdays."


def meal_plan(goal: Literal["bulk", "cut", "maintain"], meals_per_day: int = 3) -> str:
    """Draft a weekly meal plan for a fitness goal.

    Args:
        goal: The member's goal.
        meals_per_day: How many meals a day.
    """
    return f"A {goal} plan with {meals_per_day} meals a day."
