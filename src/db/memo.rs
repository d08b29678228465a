//! Answers read from the database and kept a while by what was asked: the planner's estimate
//! of a search's matches, the spelling suggestion for its words. They change only as the
//! statistics or the words' table do (a minute's lag is harmless), and reading them again for
//! every request cost a round trip and a plan each.
//!
//! Policy: bounded (at most `capacity` answers; when full, the ones past their ttl go, and if
//! none have, all go: a flood of distinct questions costs reads, never memory), and a `ttl`
//! of zero keeps nothing (tests read afresh).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Memo<K, V> {
    ttl: Duration,
    capacity: usize,
    answers: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            answers: Mutex::new(HashMap::new()),
        }
    }

    /// The answer to `key`: kept, or read with `read` (outside the lock) and kept.
    pub fn get_or_read<E>(&self, key: K, read: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if self.ttl.is_zero() {
            return read();
        }
        if let Some((at, value)) = self.lock().get(&key)
            && at.elapsed() < self.ttl
        {
            return Ok(value.clone());
        }
        let value = read()?;
        let mut answers = self.lock();
        if answers.len() >= self.capacity && !answers.contains_key(&key) {
            answers.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if answers.len() >= self.capacity {
                answers.clear();
            }
        }
        answers.insert(key, (Instant::now(), value.clone()));
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        self.answers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_for_their_ttl_and_never_past_the_capacity() {
        let memo = Memo::new(Duration::from_secs(60), 3);
        let mut reads = 0;
        let mut ask = |key: u32| {
            memo.get_or_read(key, || {
                reads += 1;
                Ok::<_, ()>(key * 10)
            })
            .unwrap()
        };
        assert_eq!(ask(1), 10);
        assert_eq!(ask(1), 10);
        assert_eq!(ask(2), 20);
        assert_eq!(ask(3), 30);
        assert_eq!(ask(4), 40);
        assert_eq!(ask(4), 40);
        assert_eq!(reads, 4);
        assert!(memo.lock().len() <= 3);
        assert!(memo.lock().contains_key(&4));

        let fresh = Memo::new(Duration::ZERO, 3);
        let mut reads = 0;
        for _ in 0..2 {
            fresh
                .get_or_read(1, || {
                    reads += 1;
                    Ok::<_, ()>(1)
                })
                .unwrap();
        }
        assert_eq!(reads, 2);
        // A failed read keeps nothing.
        let memo: Memo<u32, u32> = Memo::new(Duration::from_secs(60), 3);
        assert!(memo.get_or_read(1, || Err(())).is_err());
        assert_eq!(memo.get_or_read(1, || Ok::<_, ()>(5)), Ok(5));
    }
}
