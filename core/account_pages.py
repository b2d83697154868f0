"""Changing and resetting a password: Django's own views, in the NHS design system.

Changing checks the old password through `authenticate()`, so wrong guesses count towards the
sign-in lockout (django-axes) and a locked-out user gets the lockout answer here too. Reset
requests are rate limited by address (429 with Retry-After) and, silently, by email address; the
page does and answers the same whether or not an account has the address (a worker sends the
email: `core.accounts`), and the link starts with SITE_URL, never with the request's Host.
"""

from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy

from core import outbox
from core.access import security_log
from core.editing import NHSFormMixin
from core.ratelimit import client_address, hit


class PasswordChangeForm(NHSFormMixin, auth_forms.PasswordChangeForm):
    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        """Through authenticate(), so that django-axes counts a wrong one and refuses a locked-out user."""
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) != self.user:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordResetForm(NHSFormMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"


class SetPasswordForm(NHSFormMixin, auth_forms.SetPasswordForm):
    pass


FORM_TEMPLATE = "edit/form.html"
MESSAGE_TEMPLATE = "account/message.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = FORM_TEMPLATE
    success_url = reverse_lazy("password-change-done")
    extra_context = {"title": "Change your password", "submit_label": "Change password"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, back_url=reverse("home"))


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = MESSAGE_TEMPLATE
    extra_context = {"title": "Your password has been changed", "message": "You are still signed in."}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, link=(reverse("home"), "Back to your partnerships"))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = FORM_TEMPLATE
    success_url = reverse_lazy("password-reset-sent")
    extra_context = {
        "title": "Reset your password",
        "intro": "Enter the email address of your account. We will send you a link to choose a new password.",
        "submit_label": "Send the link",
    }

    def post(self, request, *args, **kwargs):
        wait = hit(scope="password_reset_address", ident=client_address(request))
        if wait is not None:
            security_log.warning("password_reset_throttled ip=%s", client_address(request))
            return too_many_requests(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        """The same for every address: one message for the worker, which finds the accounts (if any);
        over the rate for the address, nothing, and the page still says the same."""
        email = form.cleaned_data["email"]
        if hit(scope="password_reset_email", ident=email.lower()) is None:
            outbox.enqueue("core.tasks.send_password_reset_email", email=email)
            security_log.info("password_reset_requested ip=%s", client_address(self.request))
        else:
            security_log.warning("password_reset_throttled email ip=%s", client_address(self.request))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = MESSAGE_TEMPLATE
    extra_context = {
        "title": "Check your email",
        "message": (
            "If an account has that email address, we have sent it a link to choose a new password. "
            "The link works for an hour. If no email arrives, check the address and your spam folder."
        ),
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    success_url = reverse_lazy("password-reset-complete")
    extra_context = {"title": "Choose a new password", "submit_label": "Save the new password"}

    def get_template_names(self):
        return [FORM_TEMPLATE if self.validlink else MESSAGE_TEMPLATE]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.validlink:
            context.update(
                title="This link does not work",
                message="It has been used already or is more than an hour old. Ask for a new one.",
                link=(reverse("password-reset"), "Reset your password"),
            )
        return context


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = MESSAGE_TEMPLATE
    extra_context = {"title": "Your password has been changed"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, link=(reverse("login"), "Sign in"))


def too_many_requests(request, wait: int):
    minutes = -(-wait // 60)
    message = f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    response = render(
        request, MESSAGE_TEMPLATE, {"title": "Too many requests", "message": message}, status=429
    )
    response["Retry-After"] = str(wait)
    return response
