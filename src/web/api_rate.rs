//! The JSON API's general rate limits: requests per network (every API request) and per
//! account (every request with a valid token), each a minute's budget counted in memory and
//! shared between instances through the PostgreSQL counters ([`Meter`]). Over either, the
//! answer is a 429 problem document with `Retry-After`. The limits of particular actions
//! (sign-ups, log-ins, messages) apply on top, as on the pages.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use super::rate_limit::{self, Limit, Meter, Metered};
use super::{AppError, Db};
use crate::db::ids::UserId;

/// How often an instance adds its counts to the shared ones.
pub const API_METER_FLUSH: Duration = Duration::from_secs(1);

/// The two budgets, registered as app data (`None`: no limit).
#[derive(Debug, Clone, Default)]
pub struct ApiRate {
    pub per_network: Option<Arc<Meter>>,
    pub per_account: Option<Arc<Meter>>,
}

fn per_minute(name: &'static str, max: u32, refusal: &'static str) -> Option<Arc<Meter>> {
    (max > 0).then(|| {
        Arc::new(Meter::new(Limit {
            name,
            max: i32::try_from(max).unwrap_or(i32::MAX),
            window: Duration::from_secs(60),
            refusal,
        }))
    })
}

impl ApiRate {
    /// `network` and `account` requests a minute (0: no limit).
    pub fn per_minute(network: u32, account: u32) -> Self {
        Self {
            per_network: per_minute(
                "api-ip",
                network,
                "Too many API requests from your network.",
            ),
            per_account: per_minute(
                "api-account",
                account,
                "Too many API requests for this account.",
            ),
        }
    }

    /// The meters, for the tasks that flush them.
    pub fn meters(&self) -> impl Iterator<Item = &Arc<Meter>> {
        self.per_network.iter().chain(self.per_account.iter())
    }

    /// Counts one request of `user`.
    pub async fn hit_account(&self, db: &Db, user: UserId) -> Result<(), AppError> {
        match &self.per_account {
            Some(meter) => hit(meter, db, &user.to_string()).await,
            None => Ok(()),
        }
    }
}

/// Counts one attempt: in memory, or in the database when the meter holds too many keys.
async fn hit(meter: &Meter, db: &Db, key: &str) -> Result<(), AppError> {
    match meter.hit(key) {
        Metered::Allowed => Ok(()),
        Metered::Refused(refusal) => Err(refusal),
        Metered::Untracked => {
            let (limit, key) = (meter.limit(), key.to_owned());
            db.run(move |conn| rate_limit::hit(conn, limit, &key)).await
        }
    }
}

/// Middleware of the API's scope: counts every request against its network's budget.
pub async fn limit_networks(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let rate = req.app_data::<web::Data<ApiRate>>().cloned();
    let db = req.app_data::<Db>().cloned();
    if let (Some(rate), Some(db)) = (rate, db)
        && let Some(meter) = &rate.per_network
    {
        let network = rate_limit::client_network(req.request());
        if let Err(refused) = hit(meter, &db, &network).await {
            return Ok(req.error_response(refused).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
