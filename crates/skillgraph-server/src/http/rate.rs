//! Who pays for a request at `/graphql`, and whether its bearer token is
//! any good.
//!
//! Each caller the server can verify draws from its own bucket (governor's
//! GCRA): a token that verified, or else the client's address. A token
//! is only trusted with a bucket of its own once it has verified, so made-up
//! tokens cannot buy fresh buckets: a token not verified recently is
//! charged to the address *first*, and only then checked (a JWT in memory,
//! an opaque token by one hashed lookup), so an address past its budget
//! costs no lookup at all. Tokens that verified are remembered by digest
//! for a short while ([`VERIFIED_FOR`]), so a client with a good token pays
//! no lookup here on later requests. The memory only picks the bucket:
//! whether a token may do something is decided per request, as before, by
//! [`crate::api::caller::Caller`] (so a revoked token is refused at once).
//!
//! The verdict travels with the request as a [`Credential`]; the handlers
//! refuse a mutation whose token was refused before anything runs. A
//! request past its budget is answered 429 with `Retry-After` and the code
//! RATE_LIMITED.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};

use crate::api::caller::Caller;
use crate::api::error::codes as api_codes;
use crate::app::App;

/// How long a token that verified keeps its own bucket without being
/// checked again here.
pub const VERIFIED_FOR: Duration = Duration::from_secs(60);

/// How many verified tokens are remembered at most.
const VERIFIED_CAPACITY: u64 = 10_000;

/// How many charges pass between two sweeps of idle buckets.
const SWEEP_EVERY: u64 = 4096;

/// What the gate learnt of a request's bearer token; a request extension
/// the handlers read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// No bearer token.
    Anonymous,
    /// A token that verified (now, or within [`VERIFIED_FOR`]).
    Verified,
    /// A token that does not verify, and why (as the client may read it).
    Refused(String),
    /// A token that could not be checked: the database did not answer.
    Unchecked,
}

/// Whose bucket a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Bucket {
    /// A token that verified, by its SHA-256 (the token itself is not kept).
    Token([u8; 32]),
    /// A client address; IPv6 by its /64, the block one client usually holds.
    Address(IpAddr),
}

impl Bucket {
    fn address(ip: IpAddr) -> Self {
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    IpAddr::V6(Ipv6Addr::from(bits))
                }
            },
            v4 => v4,
        };
        Self::Address(ip)
    }
}

/// The rate limits and the memory of verified tokens, shared by every
/// request to `/graphql`.
pub struct Gate {
    app: Arc<App>,
    limiter: Option<DefaultKeyedRateLimiter<Bucket>>,
    verified: moka::sync::Cache<[u8; 32], ()>,
    charges: AtomicU64,
}

impl Gate {
    /// A gate allowing `per_second` requests a second per caller with
    /// bursts of `burst` (no limit when `per_second` is 0).
    pub fn new(app: Arc<App>, per_second: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(per_second).and_then(|per_second| {
            let quota = Quota::with_period(Duration::from_secs(1) / per_second.get())?
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
            Some(DefaultKeyedRateLimiter::keyed(quota))
        });
        Self {
            app,
            limiter,
            verified: moka::sync::Cache::builder()
                .max_capacity(VERIFIED_CAPACITY)
                .time_to_live(VERIFIED_FOR)
                .build(),
            charges: AtomicU64::new(0),
        }
    }

    /// Takes one request from `bucket`; `Err` with the wait when it is empty.
    fn charge(&self, bucket: Bucket) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.charges.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            // Buckets that have refilled hold nothing worth keeping.
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter
            .check_key(&bucket)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    /// Checks a token the way the request's resolvers would.
    async fn verify(&self, token: String) -> Credential {
        let access = self.app.access(Some(token));
        let caller = Caller::new(access.token, access.identities);
        let verdict = match caller.learner().await {
            Ok(Some(_)) => Ok(true),
            Ok(None) => caller.actor().await.map(|actor| actor.is_some()),
            Err(refusal) => Err(refusal),
        };
        match verdict {
            Ok(true) => Credential::Verified,
            Ok(false) => Credential::Refused("this token is not known".into()),
            Err(refusal) if refusal.code() == api_codes::UNAUTHENTICATED => {
                Credential::Refused(refusal.message().into_owned())
            }
            Err(refusal) => {
                tracing::warn!(error = ?refusal, "a bearer token could not be checked");
                Credential::Unchecked
            }
        }
    }
}

/// The middleware in front of `/graphql`: picks the bucket, charges it,
/// and attaches the [`Credential`].
pub async fn gate(State(gate): State<Arc<Gate>>, mut request: Request, next: Next) -> Response {
    let address = Bucket::address(
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(address)| {
                address.ip()
            }),
    );
    let credential = match super::bearer_token(request.headers()) {
        None => match gate.charge(address) {
            Ok(()) => Credential::Anonymous,
            Err(wait) => return refuse(&request, wait),
        },
        Some(token) => {
            let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            if gate.verified.get(&digest).is_some() {
                if let Err(wait) = gate.charge(Bucket::Token(digest)) {
                    return refuse(&request, wait);
                }
                Credential::Verified
            } else {
                // Not known to be good: the address pays, before any lookup.
                if let Err(wait) = gate.charge(address) {
                    return refuse(&request, wait);
                }
                let credential = gate.verify(token).await;
                if credential == Credential::Verified {
                    gate.verified.insert(digest, ());
                }
                credential
            }
        }
    };
    request.extensions_mut().insert(credential);
    next.run(request).await
}

/// The answer past the limit: a coded GraphQL error with `Retry-After`.
fn refuse(request: &Request, wait: Duration) -> Response {
    // Whole seconds, rounded up: "0" would invite a retry storm.
    let wait = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let wait = wait.max(1);
    let mut response = super::error_answer(
        StatusCode::TOO_MANY_REQUESTS,
        super::negotiate(request.headers()),
        super::codes::RATE_LIMITED,
        &format!("too many requests; retry after {wait} s"),
    );
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(wait));
    headers.insert("x-ratelimit-after", HeaderValue::from(wait));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_share_a_bucket_per_64_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Bucket::address(a), Bucket::address(b));
        assert_ne!(Bucket::address(a), Bucket::address(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            Bucket::address(mapped),
            Bucket::Address("192.0.2.7".parse().unwrap())
        );
    }
}
