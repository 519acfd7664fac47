"""Customer-service demo tools with deterministic fake data: orders, invoices, refunds, troubleshooting, status.

Used by configs/support.yaml; every answer is a short sentence a voice agent can read aloud.
"""

from __future__ import annotations

_ORDERS = {
    "1001": ("a pair of wireless headphones", "shipped", "arrives Thursday"),
    "1002": ("a mechanical keyboard", "processing", "ships tomorrow"),
    "1003": ("a 27 inch monitor", "delivered", "was delivered on Monday"),
}
_INVOICES = {
    "1001": ("INV-5001", 89.00, "paid"),
    "1002": ("INV-5002", 129.50, "due on the 30th"),
    "1003": ("INV-5003", 249.99, "paid"),
}
_TROUBLESHOOTING = {
    "wifi": "restart your router, forget the network on your device, then reconnect with the key printed on the router",
    "login": "request a sign-in link from the sign-in page, then clear the app's cache and sign in again",
    "audio": "check the output device in your sound settings, unplug and reconnect the headset, then restart the app",
    "battery": "lower the screen brightness, close background apps, and charge with the original cable",
}
_SERVICES = {"website": "operational", "payments": "operational", "email": "degraded, with delays of about "
             "ten minutes", "mobile app": "operational"}


def _digits(order_id: str) -> str:
    return "".join(ch for ch in order_id if ch.isdigit())


def lookup_order(order_id: str) -> str:
    """Look up an order's contents and delivery status.

    Args:
        order_id: The order number, for example 1001.
    """
    order = _ORDERS.get(_digits(order_id))
    if order is None:
        return f"I could not find order {order_id}. Orders 1001 to 1003 exist in this demo."
    item, status, when = order
    return f"Order {_digits(order_id)} is {item}; it is {status} and {when}."


def get_invoice(order_id: str) -> str:
    """Get the invoice number, amount and payment state for an order.

    Args:
        order_id: The order number the invoice belongs to, for example 1002.
    """
    invoice = _INVOICES.get(_digits(order_id))
    if invoice is None:
        return f"There is no invoice for order {order_id}."
    number, amount, state = invoice
    return f"Invoice {number} for order {_digits(order_id)} is {amount:.2f} dollars and is {state}."


def issue_refund(order_id: str, reason: str = "not given") -> str:
    """Refund an order in full. Needs the user's approval.

    Args:
        order_id: The order number to refund.
        reason: Why the customer wants the refund.
    """
    invoice = _INVOICES.get(_digits(order_id))
    if invoice is None:
        return f"Order {order_id} cannot be refunded because it does not exist."
    return f"A refund of {invoice[1]:.2f} dollars for order {_digits(order_id)} was issued; reason: {reason}."


def troubleshooting_steps(issue: str) -> str:
    """Suggest troubleshooting steps for a technical problem.

    Args:
        issue: The kind of problem: wifi, login, audio or battery.
    """
    text = issue.lower()
    for topic, steps in _TROUBLESHOOTING.items():
        if topic in text:
            return f"For {topic} problems: {steps}."
    return f"I have no steps for '{issue}'; I know about {', '.join(_TROUBLESHOOTING)} problems."


def service_status(service: str = "all") -> str:
    """Report whether our services are working.

    Args:
        service: The service to check: website, payments, email, mobile app, or all.
    """
    name = service.lower().strip()
    if name in _SERVICES:
        return f"The {name} service is {_SERVICES[name]}."
    return "; ".join(f"{n} is {state}" for n, state in _SERVICES.items()).capitalize() + "."
