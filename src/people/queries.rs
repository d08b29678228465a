//! Meet people's reads and writes: profiles and their photos, who is shown to whom, answers,
//! and matches.
//!
//! Who may see whom is one rule, [`shown`]: both profiles switched on, each within the
//! other's radius (`earth_distance` against the smaller radius), neither blocked by the
//! other, both accounts active. Discovery adds "not answered yet"; a match also lets its two
//! members see each other.
//!
//! The statements are built with Diesel's query builder (the `earthdistance` functions are
//! declared in [`crate::db::earth`]), so each is prepared once per connection: the card
//! check runs on every `GET /people`, and planning it took longer than running it.

use chrono::{DateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, Text, Timestamptz};

use super::domain::{METRES_PER_MILE, ProfileInput};
use crate::accounts::models::UserStatus;
use crate::db::earth::{self, cube_distance, earth_box, sec_to_gc};
use crate::db::ids::{ConversationId, UserId};
use crate::db::schema::{
    blocks, friend_answers, friend_decks, friend_matches, friend_photos, friend_profiles, users,
};
use crate::storage::ObjectKey;

/// Most photos on a profile.
pub const MAX_PHOTOS: i64 = 6;
/// How many of the nearest unanswered people are ranked by shared interests for "next"
/// (written into the statement: a bound parameter hides it from the planner, which then
/// reads the whole radius instead of stopping early).
pub const CANDIDATE_WINDOW: i64 = 100;
/// How long a member's deck of next people is used before it is ranked again (people who
/// joined meanwhile are then found).
pub const DECK_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);
/// Most matches listed.
pub const MATCHES_LIMIT: i64 = 200;

/// A member's own friend profile.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = friend_profiles, check_for_backend(diesel::pg::Pg))]
pub struct Profile {
    pub user_id: UserId,
    pub about: String,
    pub hobbies: Vec<String>,
    pub interests: Vec<String>,
    pub zip: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub radius_miles: i32,
    pub visible: bool,
    pub active_at: DateTime<Utc>,
}

impl Profile {
    /// Every tag, for counting what two people share.
    pub fn tags(&self) -> Vec<String> {
        self.hobbies
            .iter()
            .chain(&self.interests)
            .cloned()
            .collect()
    }

    fn radius_metres(&self) -> f64 {
        f64::from(self.radius_miles) * METRES_PER_MILE
    }
}

/// A profile photo.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = friend_photos, check_for_backend(diesel::pg::Pg))]
pub struct Photo {
    pub id: i64,
    pub user_id: UserId,
    pub key: ObjectKey,
    pub width: i32,
    pub height: i32,
    pub position: i16,
}

/// Another member as they are shown: never their ZIP or coordinates.
#[derive(Debug, Clone)]
pub struct Card {
    pub user_id: UserId,
    pub username: String,
    /// Their display name, or their username when they have none.
    pub display_name: String,
    pub city: String,
    pub about: String,
    pub hobbies: Vec<String>,
    pub interests: Vec<String>,
    /// The great-circle distance (for "about N miles" only).
    pub metres: f64,
}

type CardRow = (
    UserId,
    String,
    String,
    String,
    String,
    Vec<String>,
    Vec<String>,
    f64,
);

impl From<CardRow> for Card {
    fn from(
        (user_id, username, display_name, city, about, hobbies, interests, metres): CardRow,
    ) -> Self {
        let display_name = if display_name.is_empty() {
            username.clone()
        } else {
            display_name
        };
        Card {
            user_id,
            username,
            display_name,
            city,
            about,
            hobbies,
            interests,
            metres,
        }
    }
}

diesel::alias!(friend_profiles as reader_profile: ReaderProfile);

/// The reader's stored point on the earth: a one-row subquery, which PostgreSQL runs once
/// per statement (an init plan), so no point is computed per profile visited.
#[diesel::dsl::auto_type]
fn point_of(reader: UserId) -> _ {
    let readers: diesel::query_source::Alias<ReaderProfile> = reader_profile;
    readers
        .filter(readers.field(friend_profiles::user_id).eq(reader))
        .select(readers.field(friend_profiles::earth))
        .single_value()
        .assume_not_null()
}

/// The great-circle distance from the reader to the profile, in metres (what
/// `earth_distance` computes).
#[diesel::dsl::auto_type]
fn metres_from(reader: UserId) -> _ {
    let here: point_of = point_of(reader);
    sec_to_gc(cube_distance(here, friend_profiles::earth))
}

/// Who the reader (within `radius` metres) may be shown: the other's profile switched on
/// (the reader's own switch is checked by the services, which show a hidden member nobody),
/// each within the other's radius (great-circle distance
/// against the smaller radius), neither blocked by the other, not themselves. The two boxes
/// (the reader's radius around them, and the box the other's radius reaches) are what the
/// spatial index answers; the distances are then checked exactly. The accounts'
/// being active is checked by [`card`], on the one person shown; the ranking does without
/// the join, and a deck's banned member is dropped when reached.
///
/// The block checks (and "not answered" in [`rank`]) are counting subqueries compared with
/// zero, not `NOT EXISTS`: PostgreSQL turns the latter into an anti-join, which it may hash,
/// and a hashed join's output is not known to keep the nearest-first order of the spatial
/// index, so the whole radius was read and sorted (about 35 ms in a city) where the index
/// stops after the first hundred.
#[diesel::dsl::auto_type]
fn shown(reader: UserId, radius: f64) -> _ {
    let centre: point_of = point_of(reader);
    let reached: point_of = point_of(reader);
    let distance: metres_from = metres_from(reader);
    let their_distance: metres_from = metres_from(reader);
    let their_radius: dsl::Mul<dsl::Cast<friend_profiles::radius_miles, Double>, f64> =
        friend_profiles::radius_miles.cast::<Double>() * METRES_PER_MILE;
    let i_blocked = blocks::table
        .filter(blocks::blocker_id.eq(reader))
        .filter(blocks::blocked_id.eq(friend_profiles::user_id))
        .count()
        .single_value();
    let they_blocked = blocks::table
        .filter(blocks::blocker_id.eq(friend_profiles::user_id))
        .filter(blocks::blocked_id.eq(reader))
        .count()
        .single_value();
    friend_profiles::visible
        .and(friend_profiles::user_id.ne(reader))
        .and(earth::contains(
            earth_box(centre, radius),
            friend_profiles::earth,
        ))
        .and(earth::contains(friend_profiles::reach, reached))
        .and(distance.le(radius))
        .and(their_distance.le(their_radius))
        .and(i_blocked.eq(0_i64))
        .and(they_blocked.eq(0_i64))
}

pub fn profile(conn: &mut PgConnection, user: UserId) -> QueryResult<Option<Profile>> {
    friend_profiles::table
        .find(user)
        .select(Profile::as_select())
        .first(conn)
        .optional()
}

/// Creates or replaces the member's profile.
pub fn save_profile(
    conn: &mut PgConnection,
    user: UserId,
    input: &ProfileInput,
) -> QueryResult<Profile> {
    let values = (
        friend_profiles::about.eq(&input.about),
        friend_profiles::hobbies.eq(&input.hobbies),
        friend_profiles::interests.eq(&input.interests),
        friend_profiles::zip.eq(&input.zip),
        friend_profiles::city.eq(&input.city),
        friend_profiles::latitude.eq(input.latitude),
        friend_profiles::longitude.eq(input.longitude),
        friend_profiles::radius_miles.eq(input.radius_miles),
        friend_profiles::visible.eq(input.visible),
        friend_profiles::active_at.eq(diesel::dsl::now),
        friend_profiles::updated_at.eq(diesel::dsl::now),
    );
    forget_deck(conn, user)?;
    diesel::insert_into(friend_profiles::table)
        .values((friend_profiles::user_id.eq(user), values))
        .on_conflict(friend_profiles::user_id)
        .do_update()
        .set(values)
        .returning(Profile::as_returning())
        .get_result(conn)
}

/// "Show me to others" on or off; `false` when there is no profile.
pub fn set_visible(conn: &mut PgConnection, user: UserId, visible: bool) -> QueryResult<bool> {
    forget_deck(conn, user)?;
    diesel::update(friend_profiles::table.find(user))
        .set((
            friend_profiles::visible.eq(visible),
            friend_profiles::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(|n| n > 0)
}

/// Marks the member active now (ordering "recent activity"), at most once a minute.
pub fn touch(conn: &mut PgConnection, user: UserId) -> QueryResult<()> {
    let stale = Utc::now() - chrono::Duration::minutes(1);
    diesel::update(friend_profiles::table.find(user))
        .filter(friend_profiles::active_at.lt(stale))
        .set(friend_profiles::active_at.eq(diesel::dsl::now))
        .execute(conn)
        .map(|_| ())
}

pub fn photos(conn: &mut PgConnection, user: UserId) -> QueryResult<Vec<Photo>> {
    friend_photos::table
        .filter(friend_photos::user_id.eq(user))
        .order(friend_photos::position)
        .limit(MAX_PHOTOS)
        .select(Photo::as_select())
        .load(conn)
}

/// Room for how many more photos (the profile's row locked until the transaction ends, so
/// two uploads cannot both take the last place).
pub fn photo_room(conn: &mut PgConnection, user: UserId) -> QueryResult<Option<i64>> {
    let found: Option<UserId> = friend_profiles::table
        .find(user)
        .select(friend_profiles::user_id)
        .for_update()
        .first(conn)
        .optional()?;
    if found.is_none() {
        return Ok(None);
    }
    let count: i64 = friend_photos::table
        .filter(friend_photos::user_id.eq(user))
        .count()
        .get_result(conn)?;
    Ok(Some((MAX_PHOTOS - count).max(0)))
}

/// Adds stored photos at the end, all or none: `Ok(None)` when they do not fit.
pub fn add_photos(
    conn: &mut PgConnection,
    user: UserId,
    stored: &[(ObjectKey, i32, i32)],
) -> QueryResult<Option<Vec<Photo>>> {
    conn.transaction(|conn| {
        let Some(room) = photo_room(conn, user)? else {
            return Ok(None);
        };
        if stored.len() as i64 > room {
            return Ok(None);
        }
        let first = (MAX_PHOTOS - room) as i16;
        let rows: Vec<_> = stored
            .iter()
            .enumerate()
            .map(|(i, (key, width, height))| {
                (
                    friend_photos::user_id.eq(user),
                    friend_photos::key.eq(key),
                    friend_photos::width.eq(width),
                    friend_photos::height.eq(height),
                    friend_photos::position.eq(first + i as i16),
                )
            })
            .collect();
        diesel::insert_into(friend_photos::table)
            .values(&rows)
            .returning(Photo::as_returning())
            .get_results(conn)
            .map(Some)
    })
}

/// Deletes one of the member's photos (the others close up); its key, to delete the object.
pub fn delete_photo(
    conn: &mut PgConnection,
    user: UserId,
    id: i64,
) -> QueryResult<Option<ObjectKey>> {
    conn.transaction(|conn| {
        if photo_room(conn, user)?.is_none() {
            return Ok(None);
        }
        let deleted: Option<(ObjectKey, i16)> = diesel::delete(
            friend_photos::table
                .filter(friend_photos::id.eq(id))
                .filter(friend_photos::user_id.eq(user)),
        )
        .returning((friend_photos::key, friend_photos::position))
        .get_result(conn)
        .optional()?;
        let Some((key, position)) = deleted else {
            return Ok(None);
        };
        diesel::update(
            friend_photos::table
                .filter(friend_photos::user_id.eq(user))
                .filter(friend_photos::position.gt(position)),
        )
        .set(friend_photos::position.eq(friend_photos::position - 1))
        .execute(conn)?;
        Ok(Some(key))
    })
}

/// Whether a stored object is a profile photo's (the janitor's orphan sweep).
pub fn photo_in_use(conn: &mut PgConnection, key: &ObjectKey) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        friend_photos::table.filter(friend_photos::key.eq(key)),
    ))
    .get_result(conn)
}

/// The next person to show `me`: among the nearest [`CANDIDATE_WINDOW`] people shown to
/// them and not answered yet, the one sharing the most tags, then the nearest, then the
/// most recently active.
///
/// The ranking is kept as the member's deck: the next person is the deck's first one who is
/// still shown to them (one person's check, [`card`]); those answered or no longer shown
/// meanwhile are dropped. A deck used up, older than [`DECK_LIFETIME`], or dropped because
/// the profile changed is ranked again ([`rank`]). An empty ranking is not kept, so someone
/// who joins near a member with nobody left is found at once.
pub fn next_candidate(conn: &mut PgConnection, me: &Profile) -> QueryResult<Option<Card>> {
    let fresh_after = Utc::now() - DECK_LIFETIME;
    let kept: Option<Vec<i64>> = friend_decks::table
        .find(me.user_id)
        .filter(friend_decks::built_at.gt(fresh_after))
        .select(friend_decks::candidates)
        .first(conn)
        .optional()?;
    if let Some(deck) = kept.filter(|deck| !deck.is_empty()) {
        let (found, rest, dropped) = first_shown(conn, me, deck)?;
        if found.is_some() {
            if dropped > 0 {
                diesel::update(friend_decks::table.find(me.user_id))
                    .set(friend_decks::candidates.eq(&rest))
                    .execute(conn)?;
            }
            return Ok(found);
        }
    }
    // No deck, an old one, or one used up: rank again (once).
    let ranked = rank(conn, me)?;
    let (found, rest, _) = first_shown(conn, me, ranked)?;
    if rest.is_empty() {
        forget_deck(conn, me.user_id)?;
    } else {
        diesel::insert_into(friend_decks::table)
            .values((
                friend_decks::user_id.eq(me.user_id),
                friend_decks::candidates.eq(&rest),
                friend_decks::built_at.eq(diesel::dsl::now),
            ))
            .on_conflict(friend_decks::user_id)
            .do_update()
            .set((
                friend_decks::candidates.eq(&rest),
                friend_decks::built_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
    }
    Ok(found)
}

/// The deck's first person still shown to `me`, the deck from them on, and how many were
/// dropped before them. Bounded: a deck holds at most [`CANDIDATE_WINDOW`] people.
fn first_shown(
    conn: &mut PgConnection,
    me: &Profile,
    mut deck: Vec<i64>,
) -> QueryResult<(Option<Card>, Vec<i64>, usize)> {
    let mut dropped = 0;
    let mut found = None;
    for id in &deck {
        if let Some(card) = card(conn, me, UserId(*id), Answers::Exclude)? {
            found = Some(card);
            break;
        }
        dropped += 1;
    }
    deck.drain(..dropped);
    Ok((found, deck, dropped))
}

/// Drops the member's deck (their profile changed): the next read ranks again.
pub fn forget_deck(conn: &mut PgConnection, user: UserId) -> QueryResult<()> {
    diesel::delete(friend_decks::table.find(user))
        .execute(conn)
        .map(|_| ())
}

/// Not answered by the reader yet (a counting subquery: see [`shown`]).
#[diesel::dsl::auto_type]
fn unanswered(reader: UserId) -> _ {
    friend_answers::table
        .filter(friend_answers::user_id.eq(reader))
        .filter(friend_answers::subject_id.eq(friend_profiles::user_id))
        .count()
        .single_value()
        .eq(0_i64)
}

/// The people to show `me`, best first: the nearest [`CANDIDATE_WINDOW`] shown to them and
/// not answered yet, by shared tags, then distance, then recent activity. Uses the visible
/// profiles' spatial index (nearest first, inside the box of the reader's radius) and the
/// answers' and blocks' primary keys.
pub fn rank(conn: &mut PgConnection, me: &Profile) -> QueryResult<Vec<i64>> {
    /// Who, last active, metres away, hobbies, interests.
    type Near = (UserId, DateTime<Utc>, f64, Vec<String>, Vec<String>);
    let nearest: Vec<Near> = friend_profiles::table
        .filter(shown(me.user_id, me.radius_metres()))
        .filter(unanswered(me.user_id))
        .order(earth::nearest_to(
            friend_profiles::earth,
            point_of(me.user_id),
        ))
        .limit(CANDIDATE_WINDOW)
        .select((
            friend_profiles::user_id,
            friend_profiles::active_at,
            metres_from(me.user_id),
            friend_profiles::hobbies,
            friend_profiles::interests,
        ))
        .load(conn)?;
    let mine = me.tags();
    let mut ranked: Vec<(usize, f64, DateTime<Utc>, UserId)> = nearest
        .into_iter()
        .map(|(user, active_at, metres, hobbies, interests)| {
            let shared = hobbies
                .iter()
                .chain(&interests)
                .filter(|t| mine.contains(t))
                .count();
            (shared, metres, active_at, user)
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.total_cmp(&b.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.0.cmp(&b.3.0))
    });
    Ok(ranked.into_iter().map(|(_, _, _, user)| user.0).collect())
}

/// Whether a card may be of someone `me` answered about already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// Someone answered is not shown again (their card, their photos, reporting from it).
    Exclude,
    /// Answering checks the rule itself, then tells "answered already" apart.
    Include,
}

/// `other` as `me` may see them: shown to `me` (and not answered yet, unless `answers` says
/// so), or matched with `me`. `None` is the same answer for "no such member" and "not for
/// you". One prepared statement whichever `answers` is (it is a bound flag).
pub fn card(
    conn: &mut PgConnection,
    me: &Profile,
    other: UserId,
    answers: Answers,
) -> QueryResult<Option<Card>> {
    let include_answered = answers == Answers::Include;
    let (low, high) = (
        UserId(me.user_id.0.min(other.0)),
        UserId(me.user_id.0.max(other.0)),
    );
    let matched = diesel::dsl::exists(
        friend_matches::table
            .filter(friend_matches::user_low.eq(low))
            .filter(friend_matches::user_high.eq(high))
            .filter(friend_matches::ended_at.is_null()),
    );
    let row: Option<CardRow> = friend_profiles::table
        .inner_join(users::table)
        .filter(friend_profiles::user_id.eq(other))
        .filter(users::status.eq(UserStatus::Active))
        .filter(
            shown(me.user_id, me.radius_metres())
                .and(unanswered(me.user_id).or(include_answered.into_sql::<Bool>()))
                .or(matched),
        )
        .select((
            friend_profiles::user_id,
            users::username,
            users::display_name,
            friend_profiles::city,
            friend_profiles::about,
            friend_profiles::hobbies,
            friend_profiles::interests,
            metres_from(me.user_id),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(Card::from))
}

/// What an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Recorded; no match (a no, or a yes the other has not given).
    Recorded,
    /// A yes that completed a mutual yes: the match's conversation.
    Matched {
        conversation: ConversationId,
        shared: Vec<String>,
    },
    /// `me` had answered about them already.
    Already,
    /// Not someone `me` is shown (or no such member).
    NotShown,
}

/// Records `me`'s answer about `other`; a yes meeting their yes makes the match and opens
/// its conversation, once, however the two answers race (the pair is locked, so the second
/// answer sees the first).
pub fn answer(
    conn: &mut PgConnection,
    me: &Profile,
    other: UserId,
    yes: bool,
) -> QueryResult<Answered> {
    conn.transaction(|conn| {
        let (low, high) = (me.user_id.0.min(other.0), me.user_id.0.max(other.0));
        diesel::sql_query(
            "SELECT pg_advisory_xact_lock(hashtextextended('friend-pair:' || $1 || ':' || $2, 0))",
        )
        .bind::<BigInt, _>(low)
        .bind::<BigInt, _>(high)
        .execute(conn)?;
        let Some(card) = card(conn, me, other, Answers::Include)? else {
            return Ok(Answered::NotShown);
        };
        let inserted = diesel::insert_into(friend_answers::table)
            .values((
                friend_answers::user_id.eq(me.user_id),
                friend_answers::subject_id.eq(other),
                friend_answers::yes.eq(yes),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 0 {
            return Ok(Answered::Already);
        }
        touch(conn, me.user_id)?;
        if !yes {
            return Ok(Answered::Recorded);
        }
        let their_yes: bool = diesel::select(diesel::dsl::exists(
            friend_answers::table
                .filter(friend_answers::user_id.eq(other))
                .filter(friend_answers::subject_id.eq(me.user_id))
                .filter(friend_answers::yes.eq(true)),
        ))
        .get_result(conn)?;
        if !their_yes {
            return Ok(Answered::Recorded);
        }
        let mine = me.tags();
        let shared: Vec<String> = card
            .hobbies
            .iter()
            .chain(&card.interests)
            .filter(|t| mine.contains(t))
            .cloned()
            .collect();
        let made: Option<i64> = diesel::insert_into(friend_matches::table)
            .values((
                friend_matches::user_low.eq(UserId(low)),
                friend_matches::user_high.eq(UserId(high)),
                friend_matches::shared.eq(&shared),
            ))
            .on_conflict_do_nothing()
            .returning(friend_matches::id)
            .get_result(conn)
            .optional()?;
        let Some(made) = made else {
            return Ok(Answered::Recorded);
        };
        let note = if shared.is_empty() {
            "You matched! Say hello.".to_owned()
        } else {
            format!("You matched on: {}", shared.join(", "))
        };
        let conversation =
            crate::messages::queries::open_match_conversation(conn, me.user_id, other, &note)?;
        diesel::update(friend_matches::table.find(made))
            .set(friend_matches::conversation_id.eq(conversation))
            .execute(conn)?;
        Ok(Answered::Matched {
            conversation,
            shared,
        })
    })
}

/// A match as listed.
#[derive(Debug, Clone, QueryableByName)]
pub struct MatchRow {
    #[diesel(sql_type = BigInt)]
    pub user_id: UserId,
    #[diesel(sql_type = Text)]
    pub username: String,
    #[diesel(sql_type = Text)]
    pub display_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub city: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub conversation_id: Option<ConversationId>,
    #[diesel(sql_type = Array<Text>)]
    pub shared: Vec<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// The member's current matches, newest first.
pub fn matches(conn: &mut PgConnection, me: UserId) -> QueryResult<Vec<MatchRow>> {
    diesel::sql_query(
        "SELECT u.id AS user_id, u.username,
                coalesce(nullif(u.display_name, ''), u.username) AS display_name, p.city, m.conversation_id,
                m.shared, m.created_at
         FROM friend_matches m
         JOIN users u ON u.id = CASE WHEN m.user_low = $1 THEN m.user_high ELSE m.user_low END
         LEFT JOIN friend_profiles p ON p.user_id = u.id
         WHERE (m.user_low = $1 OR m.user_high = $1) AND m.ended_at IS NULL
           AND u.status = 'active'
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT $2",
    )
    .bind::<BigInt, _>(me)
    .bind::<BigInt, _>(MATCHES_LIMIT)
    .load(conn)
}

/// Ends the match between `me` and `other` and closes its conversation; `false` when there
/// was none.
pub fn unmatch(conn: &mut PgConnection, me: UserId, other: UserId) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let ended: Option<Option<ConversationId>> = diesel::update(
            friend_matches::table
                .filter(friend_matches::user_low.eq(UserId(me.0.min(other.0))))
                .filter(friend_matches::user_high.eq(UserId(me.0.max(other.0))))
                .filter(friend_matches::ended_at.is_null()),
        )
        .set((
            friend_matches::ended_at.eq(diesel::dsl::now),
            friend_matches::ended_by.eq(Some(me)),
        ))
        .returning(friend_matches::conversation_id)
        .get_result(conn)
        .optional()?;
        match ended {
            None => Ok(false),
            Some(conversation) => {
                if let Some(id) = conversation {
                    crate::messages::queries::close_conversation(conn, id)?;
                }
                Ok(true)
            }
        }
    })
}

/// Blocks `other` for `me`: they are never shown to each other again (both ways), their
/// match ends and no message passes (the inbox's block).
pub fn block(conn: &mut PgConnection, me: UserId, other: UserId) -> QueryResult<()> {
    conn.transaction(|conn| {
        crate::messages::queries::block(conn, me, other)?;
        unmatch(conn, me, other)?;
        Ok(())
    })
}

/// An active member's id by username, for addresses.
pub fn user_id(conn: &mut PgConnection, username: &str) -> QueryResult<Option<UserId>> {
    Ok(crate::accounts::queries::find_active_by_username(conn, username)?.map(|u| u.id))
}
