"""Task forms: one marshmallow schema per BPMN form key (``camunda:formKey`` in a diagram).

Importing this package registers every flow's forms; ``form_schema(key)`` returns a fresh
schema instance, ``FORMS`` lists the known keys (deploy validation checks against it).
"""
from forms.registry import FORMS, FormDefinition, describe_form, form_schema, register_form
from forms import arrears_reminder, complaint, fault_repair, power_application, tip_off  # noqa: E402,F401  (registers their form keys)

__all__ = ["FORMS", "FormDefinition", "describe_form", "form_schema", "register_form"]
