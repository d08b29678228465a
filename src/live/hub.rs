//! Who is listening in this process: each open `/events` stream subscribes for its member,
//! each open chat room stream for its room, and the listener wakes the subscribers of a
//! member or a room when it has something new.
//!
//! Policy: a wake-up carries nothing. The woken stream reads what is new from PostgreSQL
//! (after the last event it sent), so live delivery, replay after a reconnect and catching up
//! after a lost listener are one code path, and nothing is lost when wake-ups coalesce.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::db::ids::{ConversationId, UserId};

/// What a stream follows: a member's events, or a chat room's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Member(UserId),
    Room(ConversationId),
}

/// The open streams of this process, by what they follow. Cheap to clone.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    members: Mutex<HashMap<Topic, Vec<Arc<Subscriber>>>>,
    /// How many times each room was announced here (a room's readers share one read of
    /// what is new per announcement).
    generations: Mutex<HashMap<ConversationId, u64>>,
    open: AtomicUsize,
    /// The process is shutting down: streams end, and no new one opens.
    closing: AtomicBool,
}

/// One stream's wake-up flags.
#[derive(Default)]
struct Subscriber {
    /// Something may be new (a permit is kept when the stream is busy, so none is lost).
    wake: Notify,
    /// A login of this member ended: the stream checks its own before going on.
    check_login: AtomicBool,
}

/// Why a stream cannot open here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSubscribed {
    /// Too many streams for one member or room on one instance (tabs left open, or a script).
    TooManyStreams,
    /// This instance is shutting down: the browser retries, through the load balancer, on
    /// another.
    Closing,
}

impl NotSubscribed {
    /// The error page for a stream refused (a 429, or a 503 while shutting down), with how
    /// long the browser waits before it tries again.
    pub fn into_error(
        self,
        too_many: &'static str,
        retry_after: std::time::Duration,
    ) -> crate::web::AppError {
        match self {
            Self::TooManyStreams => crate::web::AppError::TooManyRequests {
                reason: too_many,
                retry_after,
            },
            Self::Closing => {
                crate::web::AppError::Unavailable("This server is restarting.".to_owned())
            }
        }
    }
}

impl Hub {
    /// Streams one member may hold open on one instance.
    pub const MAX_STREAMS_PER_MEMBER: usize = 24;

    /// Streams one room may have open on one instance (every participant's tabs).
    pub const MAX_STREAMS_PER_ROOM: usize = 2_000;

    /// Registers a stream for `user`; it is unregistered when the subscription is dropped.
    pub fn subscribe(&self, user: UserId) -> Result<Subscription, NotSubscribed> {
        self.subscribe_to(Topic::Member(user), Self::MAX_STREAMS_PER_MEMBER)
    }

    /// Registers a stream of the room `room`.
    pub fn subscribe_room(&self, room: ConversationId) -> Result<Subscription, NotSubscribed> {
        self.subscribe_to(Topic::Room(room), Self::MAX_STREAMS_PER_ROOM)
    }

    fn subscribe_to(&self, user: Topic, most: usize) -> Result<Subscription, NotSubscribed> {
        let subscriber = Arc::new(Subscriber::default());
        {
            let mut members = self.lock();
            // Checked under the lock that `close_all` takes to wake everyone: a stream either
            // opens before and is woken, or is refused.
            if self.is_closing() {
                return Err(NotSubscribed::Closing);
            }
            let streams = members.entry(user).or_default();
            if streams.len() >= most {
                return Err(NotSubscribed::TooManyStreams);
            }
            streams.push(subscriber.clone());
        }
        self.inner.open.fetch_add(1, Ordering::Relaxed);
        Ok(Subscription {
            hub: self.clone(),
            user,
            subscriber,
        })
    }

    /// The member's stream has new events: wake their subscribers here.
    pub fn announce(&self, user: UserId) {
        self.wake(Topic::Member(user));
    }

    /// The room has new messages (or was changed): wake its streams here.
    pub fn announce_room(&self, room: ConversationId) {
        {
            let mut generations = self
                .inner
                .generations
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *generations.entry(room).or_default() += 1;
        }
        self.wake(Topic::Room(room));
    }

    /// How many times the room was announced in this process (0: never).
    pub fn room_generation(&self, room: ConversationId) -> u64 {
        self.inner
            .generations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&room)
            .copied()
            .unwrap_or(0)
    }

    fn wake(&self, topic: Topic) {
        if let Some(streams) = self.lock().get(&topic) {
            for stream in streams {
                stream.wake.notify_one();
            }
        }
    }

    /// A login of the member ended somewhere: their streams here check theirs.
    pub fn login_ended(&self, user: UserId) {
        if let Some(streams) = self.lock().get(&Topic::Member(user)) {
            for stream in streams {
                stream.check_login.store(true, Ordering::Release);
                stream.wake.notify_one();
            }
        }
    }

    /// Wakes every stream and has it check its login again, when the listener (re)connects:
    /// the messages it missed are read from the database, and a login that ended meanwhile
    /// (its announcement went to no one: a new instance's streams can open before its
    /// `LISTEN` does) is noticed.
    pub fn wake_all(&self) {
        for generation in self
            .inner
            .generations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values_mut()
        {
            *generation += 1;
        }
        for streams in self.lock().values() {
            for stream in streams {
                stream.check_login.store(true, Ordering::Release);
                stream.wake.notify_one();
            }
        }
    }

    /// The process is shutting down: every stream ends at its next turn (the browser comes
    /// back after the stream's retry time, through the load balancer, to another instance),
    /// and new ones are refused.
    pub fn close_all(&self) {
        let streams = self.lock();
        self.inner.closing.store(true, Ordering::Release);
        for list in streams.values() {
            for stream in list {
                stream.wake.notify_one();
            }
        }
    }

    /// Whether [`Hub::close_all`] was called.
    pub fn is_closing(&self) -> bool {
        self.inner.closing.load(Ordering::Acquire)
    }

    /// Streams open in this process.
    pub fn open_streams(&self) -> usize {
        self.inner.open.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, Vec<Arc<Subscriber>>>> {
        // A panic while holding the lock leaves the map consistent (every change is one call).
        self.inner
            .members
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One open stream's registration.
pub struct Subscription {
    hub: Hub,
    user: Topic,
    subscriber: Arc<Subscriber>,
}

impl Subscription {
    /// Waits until something may be new (returns at once if a wake-up came meanwhile).
    pub async fn woken(&self) {
        self.subscriber.wake.notified().await;
    }

    /// Whether the process is shutting down: the stream ends.
    pub fn closing(&self) -> bool {
        self.hub.is_closing()
    }

    /// Whether a login of the member ended since the last call.
    pub fn take_login_check(&self) -> bool {
        self.subscriber.check_login.swap(false, Ordering::AcqRel)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut members = self.hub.lock();
        if let Some(streams) = members.get_mut(&self.user) {
            streams.retain(|s| !Arc::ptr_eq(s, &self.subscriber));
            if streams.is_empty() {
                members.remove(&self.user);
                if let Topic::Room(room) = self.user {
                    self.hub
                        .inner
                        .generations
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .remove(&room);
                }
            }
        }
        drop(members);
        self.hub.inner.open.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wake_up_before_the_wait_is_kept_and_others_are_not_woken() {
        let hub = Hub::default();
        let alice = hub.subscribe(UserId(1)).unwrap();
        let bob = hub.subscribe(UserId(2)).unwrap();
        hub.announce(UserId(1));
        tokio::time::timeout(std::time::Duration::from_secs(1), alice.woken())
            .await
            .expect("the kept wake-up");
        let waited = tokio::time::timeout(std::time::Duration::from_millis(50), bob.woken()).await;
        assert!(waited.is_err(), "bob was not announced");
        assert_eq!(hub.open_streams(), 2);
        drop(alice);
        assert_eq!(hub.open_streams(), 1);
    }

    #[tokio::test]
    async fn closing_wakes_every_stream_and_refuses_new_ones() {
        let hub = Hub::default();
        let member = hub.subscribe(UserId(1)).unwrap();
        let room = hub.subscribe_room(ConversationId(7)).unwrap();
        assert!(!member.closing());
        hub.close_all();
        for stream in [&member, &room] {
            tokio::time::timeout(std::time::Duration::from_secs(1), stream.woken())
                .await
                .expect("woken to end");
            assert!(stream.closing());
        }
        assert_eq!(hub.subscribe(UserId(2)).err(), Some(NotSubscribed::Closing));
        assert_eq!(
            hub.subscribe_room(ConversationId(8)).err(),
            Some(NotSubscribed::Closing)
        );
    }

    #[test]
    fn one_member_cannot_hold_unbounded_streams() {
        let hub = Hub::default();
        let held: Vec<_> = (0..Hub::MAX_STREAMS_PER_MEMBER)
            .map(|_| hub.subscribe(UserId(7)).unwrap())
            .collect();
        assert!(hub.subscribe(UserId(7)).is_err());
        assert!(hub.subscribe(UserId(8)).is_ok());
        drop(held);
        assert!(hub.subscribe(UserId(7)).is_ok());
    }

    #[tokio::test]
    async fn a_rooms_announcements_are_counted_and_wake_its_streams_only() {
        let hub = Hub::default();
        let room = ConversationId(5);
        let reader = hub.subscribe_room(room).unwrap();
        let member = hub.subscribe(UserId(5)).unwrap();
        assert_eq!(hub.room_generation(room), 0);
        hub.announce_room(room);
        hub.announce_room(room);
        assert_eq!(hub.room_generation(room), 2);
        tokio::time::timeout(std::time::Duration::from_secs(1), reader.woken())
            .await
            .expect("the room's stream is woken");
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(50), member.woken()).await;
        assert!(waited.is_err(), "member 5 is not room 5");
        hub.wake_all();
        assert_eq!(
            hub.room_generation(room),
            3,
            "a reconnected listener re-reads rooms"
        );
        drop(reader);
        assert_eq!(
            hub.room_generation(room),
            0,
            "forgotten when nobody follows it"
        );
    }

    #[test]
    fn an_ended_login_is_flagged_once() {
        let hub = Hub::default();
        let stream = hub.subscribe(UserId(3)).unwrap();
        assert!(!stream.take_login_check());
        hub.login_ended(UserId(3));
        assert!(stream.take_login_check());
        assert!(!stream.take_login_check());
        // A listener that (re)connects has every stream check its login, in case an
        // announcement was missed.
        hub.wake_all();
        assert!(stream.take_login_check());
    }
}
