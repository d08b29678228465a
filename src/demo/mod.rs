//! `corkboard seed-demo`: demo data for a first look at the site.
//!
//! Policy: demo data goes only into a database that holds no user content, so running the
//! command (or `serve --seed-demo`, which `make run` uses) twice, or against a live site, never
//! adds to or mixes with real data. Each feature adds its own seeder to [`seed_demo`].

mod catalogue;

use anyhow::Context;
use bytes::Bytes;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{Map, Value};

use crate::accounts::models::{NewUser, ProfileChanges, Role};
use crate::accounts::{password, queries};
use crate::db::PgPool;
use crate::db::ids::{ListingId, UserId};
use crate::db::schema::{listing_photos, listings, users};
use crate::listings::domain::{AttributeDef, AttributeKind};
use crate::listings::models::{Category, Photo, Section};
use crate::listings::photos::{DISPLAY_EDGE, THUMB_SIDE};
use crate::listings::queries as listing_queries;
use crate::photos;
use crate::storage::{ObjectKey, Storage};

/// Every demo account's password (shown by `seed-demo` and in the README).
pub const DEMO_PASSWORD: &str = "corkboard-demo";

/// What a seeding run did, one line per seeder.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub lines: Vec<String>,
}

/// Seeds every feature's demo data if the database is empty.
pub async fn seed_demo(
    pool: &PgPool,
    storage: &Storage,
    bcrypt_cost: u32,
) -> anyhow::Result<SeedReport> {
    let mut conn = pool.get().context("no database connection")?;
    let mut report = SeedReport::default();
    let members: i64 = users::table.count().get_result(&mut conn)?;
    if members > 0 {
        report
            .lines
            .push("the database already holds accounts: nothing seeded".to_owned());
        return Ok(report);
    }
    report.lines.push(seed_members(&mut conn, bcrypt_cost)?);
    report.lines.push(seed_listings(&mut conn, storage).await?);
    report.lines.push(seed_conversations(&mut conn)?);
    report.lines.push(seed_people(&mut conn)?);
    Ok(report)
}

/// (username, hobbies, interests, about me) of the demo members who take part in meet people.
const FRIEND_PROFILES: &[(&str, &str, &str, &str)] = &[
    (
        "alice_w",
        "woodworking, hiking, board games",
        "live music, gardening",
        "New-ish in the Mission. Looking for a hiking buddy and a board game night.",
    ),
    (
        "bob_builds",
        "hiking, cycling, board games",
        "cooking, live music",
        "Early riser, weekend hiker. Always up for a game of Catan.",
    ),
    (
        "carmen_r",
        "yoga, cooking",
        "film, travel",
        "Moving soon and keen to meet people in the new neighbourhood.",
    ),
    (
        "deshawn",
        "cycling, running",
        "photography",
        "Group rides on Sunday mornings, all paces welcome.",
    ),
];

/// Friend profiles for a few demo members; `bob_builds` (a mile from `alice_w`) has said yes
/// to her, so her yes on `/people` makes a match at once and opens its conversation.
fn seed_people(conn: &mut PgConnection) -> anyhow::Result<String> {
    use crate::people::domain::ProfileForm;
    use crate::people::queries as people;
    let mut profiles = Vec::new();
    for (username, hobbies, interests, about) in FRIEND_PROFILES {
        let Some(user) = queries::find_active_by_username(conn, username)? else {
            continue;
        };
        let Some(zip) = MEMBERS
            .iter()
            .find(|(name, ..)| name == username)
            .map(|(.., zip)| *zip)
        else {
            continue;
        };
        let input = ProfileForm {
            about,
            hobbies: vec![hobbies],
            interests: vec![interests],
            zip,
            radius: "25",
            visible: true,
        }
        .parse()
        .map_err(|errors| anyhow::anyhow!("demo friend profile of {username}: {errors:?}"))?;
        profiles.push(people::save_profile(conn, user.id, &input)?);
    }
    let alice = queries::find_active_by_username(conn, "alice_w")?;
    let bob = queries::find_active_by_username(conn, "bob_builds")?;
    if let (Some(alice), Some(bob)) = (alice, bob)
        && let Some(bob_profile) = profiles.iter().find(|p| p.user_id == bob.id)
    {
        people::answer(conn, bob_profile, alice.id, true)?;
    }
    Ok(format!(
        "{} friend profiles (alice_w finds bob_builds at /people; he already said yes)",
        profiles.len()
    ))
}

/// A few conversations, so that the demo login (`alice_w`) has an inbox: buyers writing about
/// her listings (some answered, some waiting for her) and her own questions to other sellers.
fn seed_conversations(conn: &mut PgConnection) -> anyhow::Result<String> {
    use crate::messages::queries::{self as messages, Content};
    let members: Vec<(UserId, String)> = users::table
        .filter(users::role.eq(Role::Member))
        .order(users::id)
        .select((users::id, users::username))
        .load(conn)?;
    let Some(&(alice, _)) = members.iter().find(|(_, name)| name == "alice_w") else {
        return Ok("conversations: no demo member alice_w".into());
    };
    let others: Vec<UserId> = members
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != alice)
        .collect();
    let hers: Vec<ListingId> = listings::table
        .filter(listings::owner_id.eq(alice))
        .order(listings::id)
        .limit(3)
        .select(listings::id)
        .load(conn)?;
    let theirs: Vec<(ListingId, UserId)> = listings::table
        .filter(listings::owner_id.ne(alice))
        .order(listings::id)
        .limit(2)
        .select((listings::id, listings::owner_id))
        .load(conn)?;
    const ABOUT_HERS: &[(&str, Option<&str>)] = &[
        (
            "Hi Alice, is this still available? I could pick it up Saturday morning.",
            Some("Yes, it is! Saturday around 10 works. I'll send the address the day before."),
        ),
        ("Would you take a little less if I pay cash today?", None),
        (
            "Does it come with the original parts? Thanks!",
            Some("Everything is included, and I have the manual too."),
        ),
    ];
    const ABOUT_THEIRS: &[(&str, &str)] = &[
        (
            "Hello! Is the price firm? I'm nearby and could come this week.",
            "It's a little flexible. Come see it first, Thursday evening?",
        ),
        (
            "Could you send one more photo of the back? Thank you.",
            "Sure, I'll add one to the listing tonight.",
        ),
    ];
    // A refusal here (a block, a missing member) would be a bug in the seeding.
    fn say(
        conn: &mut PgConnection,
        id: crate::db::ids::ConversationId,
        who: UserId,
        text: &str,
    ) -> diesel::QueryResult<()> {
        messages::send(conn, id, who, Content::Text(text.into()))?
            .map(|_| ())
            .map_err(|refused| {
                diesel::result::Error::QueryBuilderError(
                    format!("demo message: {refused:?}").into(),
                )
            })
    }
    let mut made = 0;
    conn.transaction(|conn| {
        for (i, listing) in hers.iter().enumerate() {
            let buyer = others[i % others.len()];
            let (ask, answer) = ABOUT_HERS[i % ABOUT_HERS.len()];
            let id = messages::open_listing_conversation(conn, *listing, alice, buyer)?;
            say(conn, id, buyer, ask)?;
            if let Some(answer) = answer {
                say(conn, id, alice, answer)?;
            }
            made += 1;
        }
        for (i, (listing, seller)) in theirs.iter().enumerate() {
            let (ask, answer) = ABOUT_THEIRS[i % ABOUT_THEIRS.len()];
            let id = messages::open_listing_conversation(conn, *listing, *seller, alice)?;
            say(conn, id, alice, ask)?;
            say(conn, id, *seller, answer)?;
            made += 1;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(format!("{made} conversations"))
}

/// (username, display name, bio, home ZIP)
const MEMBERS: &[(&str, &str, &str, &str)] = &[
    (
        "demo_admin",
        "Corkboard Team",
        "We keep this board tidy. Flag anything that looks wrong.",
        "10001",
    ),
    (
        "alice_w",
        "Alice Wong",
        "Weekend woodworker. I sell what I build and buy what I can't.",
        "94110",
    ),
    (
        "bob_builds",
        "Bob Okafor",
        "Contractor in the Mission. Tools, materials, odd jobs.",
        "94103",
    ),
    (
        "carmen_r",
        "Carmen Ruiz",
        "Moving across town next month: lots of furniture looking for a new home.",
        "60614",
    ),
    (
        "deshawn",
        "DeShawn Miller",
        "Bike commuter, part-time mechanic. Ask me about tune-ups.",
        "11211",
    ),
    (
        "emi_k",
        "Emi Kato",
        "Piano teacher. Lessons for all ages, in person or online.",
        "98103",
    ),
    (
        "farid_h",
        "Farid Haddad",
        "Landlord of two small buildings. Quiet tenants welcome.",
        "78704",
    ),
    (
        "grace_o",
        "Grace O'Neil",
        "Runs the neighbourhood book swap. Community events every month.",
        "02139",
    ),
];

fn seed_members(conn: &mut PgConnection, cost: u32) -> anyhow::Result<String> {
    let hash = password::hash(DEMO_PASSWORD, cost)?;
    conn.transaction(|conn| {
        for (i, (username, display_name, bio, zip)) in MEMBERS.iter().enumerate() {
            let email = format!("{username}@demo.corkboard.invalid");
            let user = queries::insert_user(
                conn,
                &NewUser {
                    username,
                    email: &email,
                    password_hash: &hash,
                    role: if i == 0 { Role::Admin } else { Role::Member },
                },
            )
            .map_err(|err| anyhow::anyhow!("cannot create {username}: {err}"))?;
            queries::update_profile(
                conn,
                user.id,
                &ProfileChanges {
                    display_name,
                    bio,
                    home_zip: Some(zip),
                },
            )?;
            // Demo members have confirmed their (made-up) addresses, so a first look can try
            // everything.
            queries::mark_email_verified(conn, user.id, &email)?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(format!(
        "{} members (log in as any of them, e.g. alice_w, with the password {DEMO_PASSWORD:?}; demo_admin is an admin)",
        MEMBERS.len()
    ))
}

/// A small deterministic random generator (xorshift), so every demo is the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A valid value for an attribute the catalogue item does not give.
fn demo_attribute(def: &AttributeDef, given: &Map<String, Value>, rng: &mut Rng) -> Option<Value> {
    match &def.kind {
        AttributeKind::Int { min, max, .. } => {
            let (lo, hi) = match def.key.as_str() {
                "odometer" => (12_000, 180_000),
                "sqft" => {
                    let bedrooms = given.get("bedrooms").and_then(Value::as_i64).unwrap_or(1);
                    let base = 420 + bedrooms * 380;
                    (base, base + 300)
                }
                // Counts and years only come from the catalogue, which knows what fits.
                "bedrooms" | "year" => return None,
                _ => (*min, *max),
            };
            Some(Value::from(lo + rng.below((hi - lo + 1) as u64) as i64))
        }
        AttributeKind::Number { .. } => None,
        AttributeKind::Bool => Some(Value::Bool(rng.below(2) == 0)),
        AttributeKind::Enum { options } => Some(Value::from(rng.pick(options).clone())),
        // Makes, models and pay only come from the catalogue.
        AttributeKind::Text { .. } => None,
    }
}

/// How far from home a demo member posts.
const NEIGHBOURHOOD_MILES: f64 = 8.0;

/// The ZIP codes within [`NEIGHBOURHOOD_MILES`] of `home`, home first, in a fixed order.
fn zips_near(home: &str) -> anyhow::Result<Vec<&'static crate::places::Place>> {
    let places = crate::places::shipped();
    let centre = places
        .get(home)
        .with_context(|| format!("demo ZIP {home} is not in the gazetteer"))?;
    let mut near: Vec<&crate::places::Place> = places
        .values()
        .filter(|p| p.zip != centre.zip && miles_between(centre, p) <= NEIGHBOURHOOD_MILES)
        .collect();
    near.sort_by(|a, b| a.zip.cmp(&b.zip));
    near.insert(0, centre);
    Ok(near)
}

/// Great-circle distance in miles.
pub fn miles_between(a: &crate::places::Place, b: &crate::places::Place) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.longitude - a.longitude).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    3958.8 * 2.0 * h.sqrt().asin()
}

/// The body of a demo listing: what it is, where, and how to get in touch, as fits its section.
fn demo_body(section: &str, about: &str, place: &str) -> String {
    let contact = match section {
        "jobs" => format!(
            "The job is in {place}. Reply through the site with a few lines about yourself."
        ),
        "community" => {
            format!("In {place}. Everyone is welcome; message me here with any questions.")
        }
        "gigs" => format!("In {place}. Message me here if you can help."),
        "services" => format!("Serving {place} and nearby. Message me here for a quote."),
        _ => format!(
            "Pick up in {place}. Message me here with any questions; I usually answer the same day."
        ),
    };
    format!("{about}\n\n{contact}")
}

/// A picture for a demo photo: soft gradients and a few shapes in the category's hue.
fn demo_picture(rng: &mut Rng, hue: u8) -> image::DynamicImage {
    let (w, h) = (480u32, 360u32);
    let shapes: Vec<(i64, i64, i64, [u8; 3])> = (0..4)
        .map(|_| {
            (
                rng.below(u64::from(w)) as i64,
                rng.below(u64::from(h)) as i64,
                40 + rng.below(120) as i64,
                [rng.below(255) as u8, hue, rng.below(255) as u8],
            )
        })
        .collect();
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        for (cx, cy, r, color) in &shapes {
            let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
            if dx * dx + dy * dy < r * r {
                return image::Rgb(*color);
            }
        }
        image::Rgb([
            hue.wrapping_add((x / 8) as u8),
            (120 + y / 6) as u8,
            (200u32.saturating_sub(x / 5)) as u8,
        ])
    });
    image::DynamicImage::ImageRgb8(img)
}

async fn seed_listings(conn: &mut PgConnection, storage: &Storage) -> anyhow::Result<String> {
    // Every member but the admin posts, each near their own home.
    let owners: Vec<(UserId, String)> = users::table
        .filter(users::role.eq(Role::Member))
        .order(users::id)
        .select((users::id, users::home_zip.assume_not_null()))
        .load(conn)?;
    let neighbourhoods: Vec<(UserId, Vec<&crate::places::Place>)> = owners
        .iter()
        .map(|(id, home)| Ok((*id, zips_near(home)?)))
        .collect::<anyhow::Result<_>>()?;
    let tree: Vec<(Section, Vec<Category>)> = listing_queries::category_tree(conn)?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // A couple of dozen pictures, encoded once; every photo is still its own object.
    let pictures: Vec<DemoPicture> = (0..24)
        .map(|i| DemoPicture::render(&demo_picture(&mut rng, (i * 41 % 255) as u8)))
        .collect();
    let now = Utc::now();
    let (mut listings_made, mut photos_made) = (0, 0);
    for (section, categories) in &tree {
        for category in categories {
            let defs = category.attribute_defs();
            for item in catalogue::items(&category.slug) {
                let (owner, near) = rng.pick(&neighbourhoods);
                let owner = *owner;
                // Mostly the home ZIP, sometimes a neighbouring one.
                let place = if rng.below(3) == 0 {
                    *rng.pick(near)
                } else {
                    near[0]
                };
                let body = demo_body(&section.slug, item.about, &place.label());
                let (price, free) = match item.dollars {
                    _ if category.allows_free => (None, true),
                    Some((low, high)) => {
                        // Round to what people ask: tens under a thousand, hundreds above.
                        let step = if high >= 1000 { 100 } else { 5 };
                        let dollars = low + rng.below((high - low + 1) as u64) as i64;
                        (Some((dollars / step).max(1) * step * 100), false)
                    }
                    None => (None, false),
                };
                let mut attributes: Map<String, Value> = serde_json::from_str(item.details)
                    .with_context(|| format!("demo details of {:?}", item.title))?;
                for def in defs.iter() {
                    if attributes.contains_key(&def.key) {
                        continue;
                    }
                    if let Some(value) = demo_attribute(def, &attributes, &mut rng) {
                        attributes.insert(def.key.clone(), value);
                    }
                }
                let posted = now - Duration::minutes(rng.below(25 * 24 * 60) as i64);
                let id: ListingId = diesel::insert_into(listings::table)
                    .values((
                        listings::owner_id.eq(owner),
                        listings::category_id.eq(category.id),
                        listings::title.eq(item.title),
                        listings::body.eq(&body),
                        listings::price_cents.eq(price),
                        listings::is_free.eq(free),
                        listings::zip.eq(&place.zip),
                        listings::latitude.eq(place.latitude),
                        listings::longitude.eq(place.longitude),
                        listings::attributes.eq(Value::Object(attributes)),
                        listings::created_at.eq(posted),
                        listings::renewed_at.eq(posted),
                        listings::expires_at.eq(posted + Duration::days(30)),
                    ))
                    .returning(listings::id)
                    .get_result(conn)?;
                listings_made += 1;
                let with_photos =
                    matches!(section.slug.as_str(), "for-sale" | "housing" | "services");
                let count = if with_photos && rng.below(10) < 7 {
                    1 + rng.below(3)
                } else {
                    0
                };
                for position in 0..count {
                    let picture = rng.pick(&pictures);
                    let photo =
                        store_demo_photo(storage, picture, owner, id, position as i16).await?;
                    diesel::insert_into(listing_photos::table)
                        .values(&photo)
                        .execute(conn)?;
                    photos_made += 1;
                }
            }
        }
    }
    Ok(format!(
        "{listings_made} listings in every category, {photos_made} photos"
    ))
}

/// A demo picture's derivatives, encoded once.
struct DemoPicture {
    display: Bytes,
    thumb: Bytes,
    width: i32,
    height: i32,
}

impl DemoPicture {
    fn render(picture: &image::DynamicImage) -> Self {
        let display = photos::fit_within(picture, DISPLAY_EDGE);
        Self {
            width: display.width() as i32,
            height: display.height() as i32,
            display: Bytes::from(photos::encode_jpeg(&display)),
            thumb: Bytes::from(photos::encode_jpeg(&photos::square(picture, THUMB_SIDE))),
        }
    }
}

async fn store_demo_photo(
    storage: &Storage,
    picture: &DemoPicture,
    owner_id: UserId,
    listing_id: ListingId,
    position: i16,
) -> anyhow::Result<Photo> {
    let id = uuid::Uuid::new_v4();
    let display_key = ObjectKey::parse(&format!("photos/{id}/display.jpg"))?;
    let thumb_key = ObjectKey::parse(&format!("photos/{id}/thumb.jpg"))?;
    storage
        .put(&display_key, picture.display.clone(), "image/jpeg")
        .await?;
    storage
        .put(&thumb_key, picture.thumb.clone(), "image/jpeg")
        .await?;
    Ok(Photo {
        id,
        owner_id,
        listing_id: Some(listing_id),
        position,
        display_key,
        thumb_key,
        width: picture.width,
        height: picture.height,
        alt_text: String::new(),
        created_at: Utc::now(),
    })
}
