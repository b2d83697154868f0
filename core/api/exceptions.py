"""Errors the API answers with: clear statuses and field messages, never a 500 or a traceback."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.access import security_log
from core.errors import RETRY_AFTER_SECONDS, body_limit, database_unavailable

logger = logging.getLogger(__name__)


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = (
        "Send the record's ETag in an If-Match header, so that no one else's change is overwritten."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it. Read it again and reapply your change."
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The change conflicts with other records."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The registry is temporarily unavailable; nothing was read or saved. Try again shortly."
    default_code = "service_unavailable"
    wait = RETRY_AFTER_SECONDS  # DRF's handler sends it as Retry-After


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, DatabaseError) and transaction.get_connection().in_atomic_block:
        # Answered below, but the failed statement must not leave the request's transaction
        # unusable (or committed): roll back to the start of the write.
        transaction.set_rollback(True)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        # The class and constraint only: str() of a ProtectedError lists records, which needs queries.
        logger.info("integrity conflict: %s %s", type(exc).__name__, _integrity_message(exc))
        exc = Conflict(_integrity_message(exc))
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError({"non_field_errors": ["A value is out of range or malformed."]})
    elif database_unavailable(exc):
        logger.warning("database unavailable: %s", str(exc).strip().partition("\n")[0])
        exc = ServiceUnavailable()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(f"The request body is larger than the {body_limit()} the API accepts.")
    elif isinstance(exc, SuspiciousOperation):  # too many fields, a malformed multipart body
        exc = exceptions.ParseError(str(exc) or "The request is malformed.")
    if isinstance(
        exc, exceptions.PermissionDenied | exceptions.NotAuthenticated | exceptions.AuthenticationFailed
    ):
        security_log.warning(
            "access_denied status=%s user=%s method=%s path=%s",
            getattr(exc, "status_code", 403),
            getattr(getattr(request, "user", None), "pk", None),
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        response = Response(
            {"detail": "Something went wrong on our side; the change was not saved."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return response


def _integrity_message(exc: IntegrityError) -> str:
    constraint = getattr(getattr(exc, "__cause__", None), "diag", None)
    name = getattr(constraint, "constraint_name", None)
    if name:
        return f"The change conflicts with other records (rule: {name})."
    return "The change conflicts with other records."
