"""The exceptions treatycal raises, in one tree.

ServiceError
├── InvalidInput (ValueError)          bad data from a user, a file or a request
│   ├── BadRequest                     a request that is malformed, not merely invalid
│   ├── ArticleTooSlow                 an article that took longer to read than the limit
│   ├── FeedFileError                  a feed file that cannot be loaded, with file and line
│   ├── RevisionConflict               a change based on an out-of-date revision
│   └── WebhookTargetRefused           a webhook URL that is not https or not public
├── NotFound (LookupError)
│   ├── CommitmentNotFound
│   ├── FeedNotFound
│   ├── PrivateFeedNotFound            a private feed address whose token is unknown or revoked
│   ├── SubscriptionNotFound
│   ├── DeliveryNotFound
│   ├── SourceNotFound
│   ├── ProposalNotFound
│   └── ApiKeyNotFound
├── DuplicateCommitment
├── FeedConflict                       a feed slug taken, or a change a feed of its kind refuses
├── ProposalAlreadyDecided             accepting or rejecting a proposal a second time
├── ProposalIsDuplicate                accepting a proposal that matches a tracked commitment
├── DeliveryNotRetryable               retrying a delivery whose subscription was deleted
├── Unauthorized                       no credentials, or credentials that match no key
├── TooManyFailures                    a client whose credentials failed too often, lately
├── Forbidden                          a key whose scope does not allow the action
└── StoreError                         the database failed; the driver's error is the cause
    ├── FeedChanging                   writes kept moving the data while a feed was read
    └── DatabaseMissing                a database that is not there, or not migrated

HTTP status codes for these are chosen in one place, service/api/problems.py.
"""

from __future__ import annotations

import math


class ServiceError(Exception):
    """Something treatycal could not do."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


class InvalidInput(ServiceError, ValueError):
    """The input is not valid."""


class BadRequest(InvalidInput):
    """The request is malformed."""


class ArticleTooSlow(InvalidInput):
    """Reading the article took longer than the time limit."""

    def __init__(self, characters: int, seconds: float) -> None:
        super().__init__(
            f"reading this article ({characters:,} characters) took longer than the "
            f"{seconds:g} s allowed; split it into shorter articles, or send only its text "
            "without lists, tables or repeated passages"
        )
        self.characters = characters
        self.seconds = seconds


class FeedFileError(InvalidInput):
    """A feed file could not be loaded; nothing from it was stored."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class RevisionConflict(InvalidInput):
    """The commitment changed since the revision the change was based on."""

    def __init__(self, commitment_id: str, expected: int, actual: int) -> None:
        named = f"not {expected}" if expected > 0 else "which If-Match does not name"
        super().__init__(
            f"commitment {commitment_id!r} is at revision {actual}, {named}; "
            "fetch it again and re-apply the change"
        )
        self.commitment_id = commitment_id
        self.expected = expected
        self.actual = actual


class NotFound(ServiceError, LookupError):
    """The thing asked for does not exist."""


class CommitmentNotFound(NotFound):
    def __init__(self, commitment_id: str) -> None:
        super().__init__(f"no commitment with id {commitment_id!r}")
        self.commitment_id = commitment_id


class FeedNotFound(NotFound):
    def __init__(self, slug: str) -> None:
        super().__init__(f"no feed named {slug!r}")
        self.slug = slug


class PrivateFeedNotFound(NotFound):
    """No private feed has this address: the token is wrong or has been revoked."""


class SubscriptionNotFound(NotFound):
    def __init__(self, subscription_id: str) -> None:
        super().__init__(f"no subscription with id {subscription_id!r}")
        self.subscription_id = subscription_id


class DeliveryNotFound(NotFound):
    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"no delivery with id {delivery_id}")
        self.delivery_id = delivery_id


class WebhookTargetRefused(InvalidInput):
    """The webhook URL may not be used."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot send webhooks to {url!r}: {reason}")
        self.url = url
        self.reason = reason


class SourceNotFound(NotFound):
    def __init__(self, source_id: int) -> None:
        super().__init__(f"no source with id {source_id}")
        self.source_id = source_id


class ProposalNotFound(NotFound):
    def __init__(self, proposal_id: int) -> None:
        super().__init__(f"no proposal with id {proposal_id}")
        self.proposal_id = proposal_id


class ProposalAlreadyDecided(ServiceError):
    def __init__(self, proposal_id: int, decision: str) -> None:
        super().__init__(f"proposal {proposal_id} was already {decision}")
        self.proposal_id = proposal_id
        self.decision = decision


class ProposalIsDuplicate(ServiceError):
    def __init__(self, proposal_id: int, commitment_id: str) -> None:
        super().__init__(
            f"proposal {proposal_id} matches the tracked commitment {commitment_id!r}; "
            'reject it, or accept with "force": true to track it separately'
        )
        self.proposal_id = proposal_id
        self.commitment_id = commitment_id


class DeliveryNotRetryable(ServiceError):
    def __init__(self, delivery_id: int, subscription_id: str) -> None:
        super().__init__(
            f"delivery {delivery_id} cannot be retried: its subscription {subscription_id!r} "
            "was deleted, and a deleted subscription is sent nothing"
        )
        self.delivery_id = delivery_id
        self.subscription_id = subscription_id


class ApiKeyNotFound(NotFound):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"no API key with id {key_id!r}")
        self.key_id = key_id


class DuplicateCommitment(ServiceError):
    """A new commitment's id is taken; a bulk write names every id taken (or given twice)."""

    def __init__(self, commitment_id: str, *more: str) -> None:
        if more:
            shown = ", ".join(repr(i) for i in (commitment_id, *more)[:20])
            extra = f" and {len(more) - 19} more" if len(more) > 19 else ""
            message = f"commitments with these ids already exist: {shown}{extra}"
        else:
            message = f"a commitment with id {commitment_id!r} already exists"
        super().__init__(message)
        self.commitment_id = commitment_id
        self.commitment_ids = (commitment_id, *more)


class FeedConflict(ServiceError):
    """The feed cannot be changed this way."""


class Unauthorized(ServiceError):
    """This needs an API key: send `Authorization: Bearer <key>`."""


class TooManyFailures(ServiceError):
    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            f"too many failed attempts to authenticate from this address; try again in "
            f"{seconds} s with a valid key"
        )
        self.retry_after = seconds


class Forbidden(ServiceError):
    def __init__(self, needed: str, held: str) -> None:
        super().__init__(f"this needs a key with scope {needed!r}; this key has {held!r}")
        self.needed = needed
        self.held = held


class StoreError(ServiceError):
    """The database could not complete the operation."""


class FeedChanging(StoreError):
    """The data kept changing while the feed was read; ask again in a moment."""


class DatabaseMissing(StoreError):
    """There is no treatycal database there: run `treatycal migrate` to make one."""
