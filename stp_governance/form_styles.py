"""The NHS design system's classes on a form's widgets, so templates render `{{ field }}` as is."""

from django import forms

CLASSES = {
    forms.Select: "nhsuk-select",
    forms.DateInput: "nhsuk-input nhsuk-input--width-10",
    forms.TextInput: "nhsuk-input nhsuk-input--width-20",
}


def nhs_styled(form: forms.BaseForm) -> forms.BaseForm:
    """Give each visible widget its NHS class (and date inputs the browser's date picker, ISO values)."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        for kind, css in CLASSES.items():
            if isinstance(widget, kind):
                widget.attrs["class"] = css
        if field.help_text:
            widget.attrs["aria-describedby"] = f"id_{name}-hint"
    return form
