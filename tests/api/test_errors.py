"""How a database or filesystem failure is answered: a passing condition is a retryable 503/507
with Retry-After, in the one error shape; anything else stays a 500."""

import errno
import sqlite3

from sqlalchemy import exc as sa_exc
from vocalio_api.errors import error_response, passing_condition_error
from vocalio_shared.errors import ErrorCode


def test_full_disk_is_storage_full_507_with_retry_after() -> None:
    for number in (errno.ENOSPC, errno.EDQUOT):
        error = passing_condition_error(OSError(number, "No space left on device"))
        assert error.code == ErrorCode.STORAGE_FULL and error.http_status == 507
        assert error.traits.recoverable and error.traits.retry_suggested
        response = error_response(error)
        assert response.status_code == 507 and int(response.headers["retry-after"]) > 0
        assert error.context["errno"] == errno.errorcode[number]


def test_locked_or_unreachable_database_is_503_with_retry_after() -> None:
    locked = sa_exc.OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    for failure in (locked, sa_exc.InterfaceError("SELECT 1", {}, Exception("closed")), sa_exc.TimeoutError()):
        error = passing_condition_error(failure)
        assert error.code == ErrorCode.DATABASE_UNAVAILABLE and error.http_status == 503
        assert int(error_response(error).headers["retry-after"]) > 0
    assert passing_condition_error(locked).context == {"reason": "OperationalError"}


def test_other_filesystem_errors_stay_internal() -> None:
    error = passing_condition_error(PermissionError(errno.EACCES, "Permission denied"))
    assert error.code == ErrorCode.INTERNAL_ERROR and error.http_status == 500
    assert "retry-after" not in error_response(error).headers


def test_a_full_database_disk_is_storage_full() -> None:
    full = sa_exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    error = passing_condition_error(full)
    assert error.code == ErrorCode.STORAGE_FULL and error.http_status == 507
