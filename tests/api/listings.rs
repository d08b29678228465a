//! Posting, showing, managing and browsing listings, with photos on local disk and S3.

use std::io::Cursor;

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;
use reqwest::multipart::Part;

use crate::helpers::{
    StorageChoice, TestApp, hidden_field, png, post_listing, spawn_app, spawn_app_with,
};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A JPEG carrying EXIF with an orientation and a GPS block.
pub fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, _| image::Rgb([(x % 256) as u8, 0, 0]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08");
    tiff.extend_from_slice(&2u16.to_be_bytes()); // IFD0: two entries
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 38]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(&1u16.to_be_bytes()); // GPS IFD at 38: latitude ref "N"
    tiff.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

const SOFA: &[(&str, &str)] = &[
    ("title", "Blue sofa, like new"),
    (
        "body",
        "Three seats.\nPick up in the Mission. Photos: https://example.com/sofa",
    ),
    ("price", "125"),
    ("zip", "94110"),
    ("attr_condition", "like new"),
];

/// Posts the sofa and returns its path.
async fn post_sofa(app: &TestApp, photos: Vec<(&str, Vec<u8>)>) -> String {
    let furniture = app.category_id("for-sale", "furniture");
    let response = post_listing(app, furniture, SOFA, photos).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The `src` of every `<img>` in `html` that points at stored media.
fn media_urls(html: &str, app: &TestApp) -> Vec<String> {
    html.match_indices("src=\"")
        .filter_map(|(at, _)| {
            let rest = &html[at + 5..];
            let url = &rest[..rest.find('"')?];
            (url.starts_with("/media/") || url.starts_with("http://127.0.0.1"))
                .then(|| url.replace("&amp;", "&").replace("&#38;", "&"))
        })
        .filter(|url| !url.starts_with(&app.address) || url.contains("/media/"))
        .collect()
}

fn listing_id(path: &str) -> i64 {
    path.split('/').nth(2).unwrap().parse().unwrap()
}

fn sql(app: &TestApp, statement: &str) {
    diesel::sql_query(statement)
        .execute(&mut app.pool.get().unwrap())
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Posting and reading

#[tokio::test]
async fn a_member_posts_a_listing_with_photos_that_anyone_can_read() {
    posts_a_listing_with_photos(spawn_app().await).await;
}

#[tokio::test]
async fn a_member_posts_a_listing_with_photos_on_s3() {
    posts_a_listing_with_photos(spawn_app_with(StorageChoice::S3).await).await;
}

async fn posts_a_listing_with_photos(app: TestApp) {
    app.sign_up_new_member().await;

    let path = post_sofa(
        &app,
        vec![("a.png", png(800, 600)), ("b.png", png(300, 300))],
    )
    .await;

    assert!(
        path.starts_with("/listings/") && path.ends_with("/blue-sofa-like-new"),
        "{path}"
    );
    let stranger = app.new_visitor();
    let page = stranger.get_page(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Blue sofa, like new",
        "$125",
        "San Francisco, CA",
        "Like new",
        "Active",
        r#"<a href="https://example.com/sofa" rel="nofollow ugc noopener""#,
        r#"<script type="application/ld+json">"#,
        r#""price":125,"priceCurrency":"USD""#,
        r#"<meta property="og:title" content="Blue sofa, like new">"#,
    ] {
        assert!(page.body.contains(text), "missing {text:?}");
    }
    // Two photos, each a display image and a thumbnail, served as JPEGs.
    let urls = media_urls(&page.body, &app);
    assert_eq!(urls.len(), 4, "{urls:?}");
    for url in &urls {
        let image = stranger.get(url).await;
        assert_eq!(image.status(), StatusCode::OK, "{url}");
        assert_eq!(image.headers()["content-type"], "image/jpeg");
    }
    let display =
        image::load_from_memory(&stranger.get(&urls[0]).await.bytes().await.unwrap()).unwrap();
    assert_eq!((display.width(), display.height()), (800, 600));
    let thumb =
        image::load_from_memory(&stranger.get(&urls[2]).await.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (400, 400));
}

#[tokio::test]
async fn the_listing_shows_on_the_home_page_and_its_category_pages() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![("a.png", png(200, 200))]).await;

    for page in ["/", "/c/for-sale", "/c/for-sale/furniture"] {
        let html = app.new_visitor().get_page(page).await.body;
        assert!(html.contains(&format!("href=\"{path}\"")), "{page}");
    }
    let housing = app.get_page("/c/housing").await.body;
    assert!(!housing.contains(&path));
    // The counts on the front page include it.
    let home = app.get_page("/").await.body;
    assert!(home.contains(r#"aria-label="1 listings""#));
}

/// Section pages walk an index of each listing's section, which the database keeps from the
/// listing's category (and from the category's section) however the row is written.
#[tokio::test]
async fn a_listing_is_on_the_pages_of_the_section_its_category_is_in() {
    use corkboard::db::schema::{categories, listings};
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![]).await;
    let id = listing_id(&path);
    let section_of = |app: &TestApp| -> (i16, i16) {
        let mut conn = app.pool.get().unwrap();
        let (section, category): (i16, i32) = listings::table
            .find(id)
            .select((listings::section_id, listings::category_id))
            .first(&mut conn)
            .unwrap();
        let expected: i16 = categories::table
            .find(category)
            .select(categories::section_id)
            .first(&mut conn)
            .unwrap();
        (section, expected)
    };
    let (section, expected) = section_of(&app);
    assert_eq!(section, expected);

    // Moved to a housing category by whatever writes the row, it leaves the section's pages
    // for the other section's.
    let rooms = app.category_id("housing", "rooms");
    sql(
        &app,
        &format!("UPDATE listings SET category_id = {rooms} WHERE id = {id}"),
    );
    let (section, expected) = section_of(&app);
    assert_eq!(section, expected);
    // Both pages are asserted to be a 200 before what they show is read.
    let housing = app.new_visitor().get_ok_page("/c/housing").await;
    assert!(housing.body.contains(&format!("/listings/{id}/")));
    let for_sale = app.new_visitor().get_ok_page("/c/for-sale").await;
    assert!(!for_sale.body.contains(&format!("/listings/{id}/")));

    // A category that changed section takes its listings with it.
    let other: i16 = {
        let mut conn = app.pool.get().unwrap();
        categories::table
            .filter(categories::section_id.ne(section))
            .select(categories::section_id)
            .first(&mut conn)
            .unwrap()
    };
    sql(
        &app,
        &format!("UPDATE categories SET section_id = {other} WHERE id = {rooms}"),
    );
    assert_eq!(section_of(&app), (other, other));
}

#[tokio::test]
async fn a_wrong_slug_redirects_to_the_right_one() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![]).await;
    let id = listing_id(&path);

    for wrong in [
        format!("/listings/{id}/old-title"),
        format!("/listings/{id}"),
    ] {
        let response = app.get(&wrong).await;
        assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY, "{wrong}");
        assert_eq!(response.headers()["location"], path.as_str());
    }
}

#[tokio::test]
async fn an_unknown_listing_is_a_404() {
    let app = spawn_app().await;
    for path in [
        "/listings/999999/anything",
        "/listings/999999",
        "/listings/abc/def",
        "/listings/99999999999999999999",
        "/c/nope",
        "/c/for-sale/nope",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn posting_needs_a_member() {
    let app = spawn_app().await;
    let response = app.get("/listings/new").await;
    assert_eq!(response.headers()["location"], "/login?next=/listings/new");
}

#[tokio::test]
async fn a_form_with_errors_comes_back_with_its_values_and_keeps_the_photos() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");

    let response = post_listing(
        &app,
        furniture,
        &[
            ("title", ""),
            ("body", "Kept description"),
            ("price", "-5"),
            ("zip", "94110"),
        ],
        vec![("a.png", png(120, 90))],
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Give your listing a title."));
    assert!(html.contains("A price cannot be negative."));
    assert!(html.contains(">Kept description</textarea>"));
    assert!(html.contains("value=\"94110\""));
    let pending = hidden_field(&html, "pending_photo").expect("the photo is kept");
    assert!(html.contains("the photos you added are kept"));

    // Fixing the form posts the listing with the photo uploaded the first time.
    let fixed = post_listing(
        &app,
        furniture,
        &[
            ("title", "Oak table"),
            ("body", "Kept description"),
            ("price", "40"),
            ("zip", "94110"),
            ("pending_photo", &pending),
        ],
        vec![],
    )
    .await;
    assert_eq!(fixed.status(), StatusCode::SEE_OTHER);
    let page = app
        .get_page(fixed.headers()["location"].to_str().unwrap())
        .await
        .body;
    assert_eq!(media_urls(&page, &app).len(), 1, "the one photo is shown");
}

#[tokio::test]
async fn an_unknown_zip_is_a_field_error() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let mut fields = SOFA.to_vec();
    fields[3] = ("zip", "00000");

    let response = post_listing(&app, furniture, &fields, vec![]).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("know that ZIP code. Check it and try again."));
    assert!(html.contains("value=\"00000\""));
}

#[tokio::test]
async fn each_category_checks_its_own_attributes() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let apartments = app.category_id("housing", "apartments");
    let cars = app.category_id("for-sale", "cars-trucks");
    let base = [
        ("title", "Thing"),
        ("body", "Details"),
        ("price", "1000"),
        ("zip", "10001"),
    ];

    for (category, attr, value, message) in [
        (
            apartments,
            "attr_bedrooms",
            "25",
            "Enter a number from 0 to 20.",
        ),
        (apartments, "attr_cats_ok", "maybe", "Choose yes or no."),
        (
            cars,
            "attr_year",
            "1850",
            "Enter a number from 1900 to 2027.",
        ),
        (cars, "attr_odometer", "lots", "Enter a whole number."),
    ] {
        let mut fields = base.to_vec();
        fields.push((attr, value));
        let response = post_listing(&app, category, &fields, vec![]).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{attr}={value}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{attr}={value}");
        if attr != "attr_cats_ok" {
            assert!(
                html.contains(&format!("value=\"{value}\"")),
                "{attr}={value} is kept"
            );
        }
    }

    let mut fields = base.to_vec();
    fields.extend([
        ("attr_bedrooms", "2"),
        ("attr_bathrooms", "1.5"),
        ("attr_cats_ok", "yes"),
    ]);
    let response = post_listing(&app, apartments, &fields, vec![]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app
        .get_page(response.headers()["location"].to_str().unwrap())
        .await
        .body;
    for text in ["Bedrooms", "Bathrooms", "1.5", "Cats OK", "Yes", "$1,000"] {
        assert!(page.contains(text), "{text}");
    }
}

#[tokio::test]
async fn free_is_a_price_only_in_the_free_category() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let free = app.category_id("for-sale", "free");
    let fields = [
        ("title", "Old chair"),
        ("body", "Yours"),
        ("price", "free"),
        ("zip", "60614"),
    ];

    let refused = post_listing(&app, furniture, &fields, vec![]).await;
    let accepted = post_listing(&app, free, &fields, vec![]).await;

    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let page = app
        .get_page(accepted.headers()["location"].to_str().unwrap())
        .await
        .body;
    assert!(page.contains(">Free</p>"));
    assert!(page.contains("Chicago, IL"));
}

// ---------------------------------------------------------------------------------------------
// Photos

#[tokio::test]
async fn files_that_are_not_photos_are_refused_and_nothing_is_posted() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");

    for (name, bytes, message) in [
        (
            "sofa.jpg",
            b"this is text".to_vec(),
            "That file is not a photo.",
        ),
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec(),
            "SVG files are not accepted.",
        ),
        (
            "x.heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
            "HEIC files are not accepted.",
        ),
        (
            "x.html",
            b"<!doctype html><script>alert(1)</script>".to_vec(),
            "HTML files are not accepted.",
        ),
    ] {
        let response = post_listing(&app, furniture, SOFA, vec![(name, bytes)]).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        assert!(response.text().await.unwrap().contains(message), "{name}");
    }
    let mut conn = app.pool.get().unwrap();
    let listings: i64 = corkboard::db::schema::listings::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(listings, 0);
}

#[tokio::test]
async fn a_pixel_flood_is_refused_quickly() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    // A real PNG header claiming 30,000 × 30,000 pixels.
    let mut flood = png(1, 1);
    flood[16..20].copy_from_slice(&30_000u32.to_be_bytes());
    flood[20..24].copy_from_slice(&30_000u32.to_be_bytes());
    let crc = crc32(&flood[12..29]);
    flood[29..33].copy_from_slice(&crc.to_be_bytes());

    let started = std::time::Instant::now();
    let response = post_listing(&app, furniture, SOFA, vec![("huge.png", flood)]).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("30000 × 30000 pixels, more than 40 megapixels")
    );
    // Refused from the header: no 3.6 GB decode (generous bound for a debug build).
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn exif_is_stripped_and_orientation_applied() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let original = jpeg_with_exif(200, 100, 6);
    assert!(original.windows(4).any(|w| w == b"Exif"));

    let path = post_sofa(&app, vec![("gps.jpg", original)]).await;

    // The display image on the listing page, the thumbnail in the category list.
    let page = app.get_page(&path).await.body;
    let mut urls = media_urls(&page, &app);
    assert_eq!(urls.len(), 1);
    urls.extend(media_urls(
        &app.get_page("/c/for-sale/furniture").await.body,
        &app,
    ));
    assert_eq!(urls.len(), 2);
    for url in &urls {
        let bytes = app.get(url).await.bytes().await.unwrap();
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{url} carries EXIF"
        );
        assert!(
            !bytes.windows(2).any(|w| w == [0xFF, 0xE1]),
            "{url} has an APP1 segment"
        );
    }
    // Orientation 6 turns the 200 × 100 image upright: 100 × 200.
    let display = image::load_from_memory(&app.get(&urls[0]).await.bytes().await.unwrap()).unwrap();
    assert_eq!((display.width(), display.height()), (100, 200));
}

#[tokio::test]
async fn photos_go_to_s3_when_it_is_configured() {
    let app = spawn_app_with(StorageChoice::S3).await;
    app.sign_up_new_member().await;

    let path = post_sofa(&app, vec![("a.png", png(640, 480))]).await;

    let s3 = &crate::helpers::s3_server().endpoint;
    let s3_urls = |page: &str| -> Vec<String> {
        page.match_indices(&format!("src=\"{s3}"))
            .map(|(at, _)| {
                let rest = &page[at + 5..];
                rest[..rest.find('"').unwrap()]
                    .replace("&amp;", "&")
                    .replace("&#38;", "&")
            })
            .collect()
    };
    let mut urls = s3_urls(&app.get_page(&path).await.body);
    urls.extend(s3_urls(&app.get_page("/c/for-sale/furniture").await.body));
    assert_eq!(
        urls.len(),
        2,
        "presigned S3 URLs for the display image and the thumbnail"
    );
    for url in urls {
        let response = reqwest::get(&url).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Managing

#[tokio::test]
async fn strangers_cannot_change_someone_elses_listing() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![("a.png", png(100, 100))]).await;
    let id = listing_id(&path);
    let stranger = app.new_visitor();
    stranger.sign_up_new_member().await;

    assert_eq!(
        stranger.get(&format!("/listings/{id}/edit")).await.status(),
        StatusCode::FORBIDDEN
    );
    for (action, fields) in [
        ("status", vec![("status", "sold")]),
        ("renew", vec![]),
        ("delete", vec![]),
    ] {
        let response = stranger
            .submit_form(&path, &format!("/listings/{id}/{action}"), &fields)
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{action}");
    }
    let form = stranger
        .multipart_form("/settings")
        .await
        .text("title", "Hijacked")
        .text("body", "x")
        .text("zip", "94110");
    let edit = stranger
        .post_multipart(&format!("/listings/{id}/edit"), form)
        .await;
    assert_eq!(edit.status(), StatusCode::FORBIDDEN);
    // Nothing changed.
    let page = app.get_page(&path).await.body;
    assert!(page.contains("Blue sofa, like new") && page.contains("Active"));
    // Anonymous visitors are asked to log in.
    let anonymous = app.new_visitor();
    assert_eq!(
        anonymous
            .get(&format!("/listings/{id}/edit"))
            .await
            .headers()["location"],
        format!("/login?next=/listings/{id}/edit").as_str()
    );
}

#[tokio::test]
async fn the_owner_edits_text_and_manages_photos() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(
        &app,
        vec![
            ("a.png", png(300, 200)),
            ("b.png", png(200, 300)),
            ("c.png", png(100, 100)),
        ],
    )
    .await;
    let id = listing_id(&path);
    let form_html = app.get_page(&format!("/listings/{id}/edit")).await.body;
    let photo_ids: Vec<String> = form_html
        .match_indices("name=\"remove_photo\" value=\"")
        .map(|(at, m)| form_html[at + m.len()..at + m.len() + 36].to_owned())
        .collect();
    assert_eq!(photo_ids.len(), 3);

    // Rename, remove the first photo, put the third first, describe it.
    let form = app
        .multipart_form(&format!("/listings/{id}/edit"))
        .await
        .text("title", "Blue sofa, reduced")
        .text("body", "Still three seats.")
        .text("price", "99.50")
        .text("zip", "94110")
        .text("attr_condition", "good")
        .text("remove_photo", photo_ids[0].clone())
        .text(format!("position_{}", photo_ids[1]), "2")
        .text(format!("position_{}", photo_ids[2]), "1")
        .text(format!("alt_{}", photo_ids[2]), "The sofa from the front");
    let response = app
        .post_multipart(&format!("/listings/{id}/edit"), form)
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let new_path = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(new_path.ends_with("/blue-sofa-reduced"));
    let page = app.get_page(&new_path).await.body;
    assert!(page.contains("$99.50") && page.contains("Still three seats."));
    let urls = media_urls(&page, &app);
    assert_eq!(urls.len(), 4, "two photos left");
    assert!(
        urls[0].contains(&photo_ids[2]),
        "the third photo is first now"
    );
    assert!(page.contains(r#"alt="The sofa from the front""#));
}

#[tokio::test]
async fn pending_and_sold_listings_show_their_state() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![]).await;
    let id = listing_id(&path);

    let response = app
        .submit_form(
            &path,
            &format!("/listings/{id}/status"),
            &[("status", "pending")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        app.new_visitor()
            .get_page(&path)
            .await
            .body
            .contains("Sale pending")
    );
    assert!(
        app.get_page("/c/for-sale/furniture")
            .await
            .body
            .contains("Pending")
    );

    app.submit_form(
        &path,
        &format!("/listings/{id}/status"),
        &[("status", "sold")],
    )
    .await;
    let page = app.new_visitor().get_page(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">Sold</span>"));
    assert!(
        !app.get_ok_page("/c/for-sale/furniture")
            .await
            .body
            .contains(&path),
        "sold listings leave the lists"
    );

    let bad = app
        .submit_form(
            &path,
            &format!("/listings/{id}/status"),
            &[("status", "removed")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn renewing_waits_48_hours_then_moves_the_listing_to_the_top() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let older = post_sofa(&app, vec![]).await;
    let newer = post_sofa(&app, vec![]).await;
    let id = listing_id(&older);

    let early = app
        .submit_form(&older, &format!("/listings/{id}/renew"), &[])
        .await;
    assert_eq!(early.status(), StatusCode::SEE_OTHER);
    assert!(
        app.get_page(&older)
            .await
            .body
            .contains("You can renew this listing in 48 hours.")
    );

    sql(
        &app,
        &format!(
            "UPDATE listings SET renewed_at = now() - interval '49 hours', created_at = now() - interval '49 hours' WHERE id = {id}"
        ),
    );
    let list = app.get_page("/c/for-sale/furniture").await.body;
    assert!(list.find(&newer).unwrap() < list.find(&older).unwrap());

    let renewed = app
        .submit_form(&older, &format!("/listings/{id}/renew"), &[])
        .await;
    assert_eq!(renewed.status(), StatusCode::SEE_OTHER);
    let list = app.get_page("/c/for-sale/furniture").await.body;
    assert!(
        list.find(&older).unwrap() < list.find(&newer).unwrap(),
        "renewed listing is first"
    );
}

#[tokio::test]
async fn expired_listings_leave_the_lists_and_say_so() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![]).await;
    let id = listing_id(&path);

    sql(
        &app,
        &format!("UPDATE listings SET expires_at = now() - interval '1 minute' WHERE id = {id}"),
    );

    let visitor = app.new_visitor();
    assert!(
        !visitor
            .get_ok_page("/c/for-sale/furniture")
            .await
            .body
            .contains(&path)
    );
    assert!(!visitor.get_ok_page("/").await.body.contains(&path));
    let page = visitor.get_page(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("This listing has expired."));
}

#[tokio::test]
async fn a_deleted_listing_is_gone_for_others_but_not_its_owner() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![]).await;
    let id = listing_id(&path);

    let response = app
        .submit_form(&path, &format!("/listings/{id}/delete"), &[])
        .await;

    assert_eq!(
        response.headers()["location"],
        "/my/listings?status=deleted"
    );
    assert_eq!(
        app.new_visitor().get(&path).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get_ok_page("/c/for-sale/furniture")
            .await
            .body
            .contains(&path)
    );
    let own = app.get_page(&path).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("You deleted this listing."));
    // It cannot be edited any more.
    assert_eq!(
        app.get(&format!("/listings/{id}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );
}

// ---------------------------------------------------------------------------------------------
// Browsing

#[tokio::test]
async fn category_pages_page_through_every_listing_once() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    // 30 listings straight into the database (posting 30 forms proves nothing more).
    sql(&app, &format!(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude, expires_at, renewed_at)
         SELECT (SELECT min(id) FROM users), {furniture}, 'Chair ' || n, 'A chair', '94110', 37.75, -122.41,
                now() + interval '30 days', now() - n * interval '1 minute'
         FROM generate_series(1, 30) AS n"
    ));

    let first = app.get_page("/c/for-sale/furniture").await.body;
    assert!(first.contains("1–25 of 30"), "the total");
    let next = first
        .split("rel=\"next\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .map(|r| r[..r.find('"').unwrap()].replace("&#38;", "&"))
        .expect("a next page");
    assert!(next.starts_with("/c/for-sale/furniture?after="), "{next}");
    let second = app.get_page(&next).await.body;
    assert!(
        second.contains("· Page 2 ·"),
        "the page number in the title"
    );
    assert!(second.contains("26–30 of 30"));

    let titles = |html: &str| -> Vec<String> {
        html.match_indices("Chair ")
            .map(|(at, _)| html[at..at + html[at..].find('<').unwrap()].to_owned())
            .collect()
    };
    let (a, b) = (titles(&first), titles(&second));
    assert_eq!(a.len(), 25);
    assert_eq!(b.len(), 5);
    let mut all: Vec<String> = a.into_iter().chain(b).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 30, "every listing exactly once");
    assert!(!second.contains("rel=\"next\""), "no page after the last");

    let bad = app.get_page("/c/for-sale/furniture?after=garbage").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("That page link is not valid"));
}

#[tokio::test]
async fn photos_added_while_editing_survive_a_form_error() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![("a.png", png(100, 100))]).await;
    let id = listing_id(&path);
    let edit = format!("/listings/{id}/edit");
    let form = || app.multipart_form(&edit);
    let send = |form| app.post_multipart(&edit, form);

    let failed = send(
        form()
            .await
            .text("title", "")
            .text("body", "Still here")
            .text("zip", "94110")
            .part("photos", Part::bytes(png(150, 100)).file_name("new.png")),
    )
    .await;
    assert_eq!(failed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = failed.text().await.unwrap();
    let pending = hidden_field(&html, "pending_photo").expect("the new photo is kept");

    let saved = send(
        form()
            .await
            .text("title", "Sofa with two photos")
            .text("body", "Still here")
            .text("zip", "94110")
            .text("pending_photo", pending),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = app
        .get_page(saved.headers()["location"].to_str().unwrap())
        .await
        .body;
    assert_eq!(
        media_urls(&page, &app).len(),
        4,
        "two photos, each with a thumbnail"
    );
}

#[tokio::test]
async fn a_form_with_too_many_parts_is_refused() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let names: Vec<String> = (0..300).map(|i| format!("field{i}")).collect();
    let fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "x")).collect();

    let response = post_listing(&app, furniture, &fields, vec![]).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("too many parts"));
}

#[tokio::test]
async fn a_request_over_the_total_cap_is_a_413() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    // The avatar form takes one photo of at most 20 MiB; send 21 MiB.
    let form = app.multipart_form("/settings").await.part(
        "avatar",
        Part::bytes(vec![0xFFu8; 21 * 1024 * 1024]).file_name("huge.jpg"),
    );

    let response = app
        .client
        .post(app.url("/settings/avatar"))
        .header("Origin", &app.address)
        .multipart(form)
        .send()
        .await;

    let response = response.expect("the server answers before closing the connection");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.unwrap().contains("Too large"));
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn jpeg_png_and_webp_are_accepted_and_twelve_photos_is_the_most() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let encode = |format: image::ImageFormat| {
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(64, 48)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    };
    let formats = vec![
        ("a.jpg", encode(image::ImageFormat::Jpeg)),
        ("b.png", encode(image::ImageFormat::Png)),
        ("c.webp", encode(image::ImageFormat::WebP)),
    ];
    let response = post_listing(&app, furniture, SOFA, formats).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let thirteen: Vec<(&str, Vec<u8>)> = (0..13).map(|_| ("p.png", png(40, 30))).collect();
    let response = post_listing(&app, furniture, SOFA, thirteen).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Only 12 more photos fit; the rest were not added."));
    assert_eq!(html.matches("name=\"pending_photo\"").count(), 12);
}

#[tokio::test]
async fn an_admin_may_change_anyones_listing() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![]).await;
    let id = listing_id(&path);
    let admin = app.new_visitor();
    let user = admin.sign_up_new_member().await;
    let mut conn = app.pool.get().unwrap();
    let admin_id = corkboard::accounts::queries::find_by_login(&mut conn, &user.username)
        .unwrap()
        .unwrap()
        .id;
    corkboard::accounts::queries::set_role(
        &mut conn,
        admin_id,
        corkboard::accounts::models::Role::Admin,
    )
    .unwrap();

    let response = admin
        .submit_form(
            &path,
            &format!("/listings/{id}/status"),
            &[("status", "pending")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.get_page(&path).await.body.contains("Sale pending"));
}

async fn shared_photos_have_stable_public_urls(app: TestApp) {
    app.sign_up_new_member().await;
    let path = post_sofa(&app, vec![("a.png", png(300, 200))]).await;
    let page = app.new_visitor().get_ok_page(&path).await.body;
    let og = page
        .split("<meta property=\"og:image\" content=\"")
        .nth(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .expect("an og:image");
    // The same address on every view, with no signature to expire.
    let again = app.new_visitor().get_ok_page(&path).await.body;
    assert!(again.contains(&og));
    assert!(
        og.starts_with(&app.address) && og.contains("/photos/") && og.ends_with("/display.jpg")
    );
    assert!(!og.contains("sig=") && !og.contains("X-Amz"), "{og}");
    assert!(
        page.contains(&format!("\"image\":[\"{og}\"")),
        "the structured data's image"
    );

    // Anyone can fetch it, cacheably, long after a signed URL would have expired: from the
    // site (local disk) or through a fresh presigned URL (S3).
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut photo = client.get(&og).send().await.unwrap();
    assert!(
        photo.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    if photo.status() == StatusCode::FOUND {
        let presigned = photo.headers()["location"].to_str().unwrap().to_owned();
        assert!(presigned.contains("X-Amz-Signature"), "{presigned}");
        photo = client.get(&presigned).send().await.unwrap();
    }
    assert_eq!(photo.status(), StatusCode::OK);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let bytes = photo.bytes().await.unwrap();
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 300);
    let thumb = client
        .get(og.replace("display.jpg", "thumb.jpg"))
        .send()
        .await
        .unwrap();
    assert!(thumb.status() == StatusCode::OK || thumb.status() == StatusCode::FOUND);

    // Once the listing is not public, the address answers 404.
    let id = listing_id(&path);
    sql(
        &app,
        &format!("UPDATE listings SET status = 'held' WHERE id = {id}"),
    );
    assert_eq!(
        client.get(&og).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client
            .get(og.replace("display.jpg", "original.jpg"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn shared_photos_have_stable_public_urls_on_local_disk() {
    shared_photos_have_stable_public_urls(spawn_app().await).await;
}

#[tokio::test]
async fn shared_photos_have_stable_public_urls_on_s3() {
    shared_photos_have_stable_public_urls(spawn_app_with(StorageChoice::S3).await).await;
}

#[tokio::test]
async fn a_model_year_reads_as_a_year_and_a_mileage_as_a_number() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let cars = app.category_id("for-sale", "cars-trucks");
    let response = post_listing(
        &app,
        cars,
        &[
            ("title", "2005 Honda Civic"),
            ("body", "Runs well."),
            ("price", "4500"),
            ("zip", "10001"),
            ("attr_make", "Honda"),
            ("attr_year", "2005"),
            ("attr_odometer", "145000"),
        ],
        vec![],
    )
    .await;
    let path = response.headers()["location"].to_str().unwrap().to_owned();

    let page = app.get_ok_page(&path).await.body;

    assert!(page.contains(">2005</dd>"), "the year reads as a year");
    assert!(!page.contains("2,005"));
    assert!(page.contains(">145,000</dd>"));
}

#[tokio::test]
async fn when_photo_storage_is_down_the_forms_come_back_with_everything_typed() {
    let app = spawn_app_with(StorageChoice::S3Down).await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");

    let response = post_listing(&app, furniture, SOFA, vec![("a.png", png(100, 100))]).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Photos can&#39;t be stored right now")
            || page.contains("Photos can't be stored right now"),
        "{page}"
    );
    assert!(
        page.contains("value=\"Blue sofa, like new\""),
        "the title is kept"
    );
    assert!(page.contains("Three seats."), "the description is kept");
    assert!(page.contains("value=\"94110\""));
    // Posting without the photos works meanwhile.
    let without = post_listing(&app, furniture, SOFA, vec![]).await;
    assert_eq!(without.status(), StatusCode::SEE_OTHER);
    let path = without.headers()["location"].to_str().unwrap().to_owned();

    // The edit form and the avatar form behave the same.
    let edit = format!("/listings/{}/edit", listing_id(&path));
    let form = app
        .multipart_form(&edit)
        .await
        .text("title", "Blue sofa, reduced")
        .text("body", "Still three seats.")
        .text("zip", "94110")
        .part(
            "photos",
            Part::bytes(png(80, 80)).file_name("b.png".to_owned()),
        );
    let edited = app.post_multipart(&edit, form).await;
    assert_eq!(edited.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        edited
            .text()
            .await
            .unwrap()
            .contains("value=\"Blue sofa, reduced\"")
    );
    let form = app.multipart_form("/settings").await.part(
        "avatar",
        Part::bytes(png(80, 80)).file_name("me.png".to_owned()),
    );
    let avatar = app.post_multipart("/settings/avatar", form).await;
    assert_eq!(avatar.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(avatar.text().await.unwrap().contains("stored right now"));
}

#[tokio::test]
async fn the_error_summary_links_each_problem_to_its_field() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let cars = app.category_id("for-sale", "cars-trucks");
    let bad = [
        ("title", ""),
        ("body", "Runs."),
        ("price", "lots"),
        ("zip", "1"),
        ("attr_year", "1850"),
    ];

    let page = post_listing(&app, cars, &bad, vec![])
        .await
        .text()
        .await
        .unwrap();

    let summary = &page[page.find("id=\"error-summary\"").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    for href in ["#title", "#price", "#zip", "#attr-year"] {
        assert!(
            summary.contains(&format!("href=\"{href}\"")),
            "{href}: {summary}"
        );
    }
    assert!(summary.contains("these 4 fields"), "{summary}");
    assert!(
        !summary.contains("photos you added are kept"),
        "there were none"
    );
    assert!(summary.contains("autofocus"));
    // With a photo, it says the photo is kept.
    let with_photo = post_listing(&app, cars, &bad, vec![("a.png", png(50, 50))])
        .await
        .text()
        .await
        .unwrap();
    assert!(with_photo.contains("the photos you added are kept"));
}

#[tokio::test]
async fn photos_kept_from_a_first_try_can_be_reordered_described_and_removed_before_posting() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let response = post_listing(
        &app,
        furniture,
        &[("title", ""), ("body", "Three photos."), ("zip", "94110")],
        vec![
            ("first.png", png(120, 90)),
            ("second.png", png(90, 120)),
            ("third.png", png(100, 100)),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    // Each kept photo has its number, its alt text field (which says what it is) and a
    // remove box; the required fields are marked.
    let ids: Vec<String> = html
        .match_indices("name=\"pending_photo\" value=\"")
        .map(|(at, m)| html[at + m.len()..at + m.len() + 36].to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    for id in &ids {
        assert!(html.contains(&format!("name=\"position_{id}\"")));
        assert!(html.contains(&format!("name=\"alt_{id}\"")));
        assert!(html.contains(&format!("name=\"remove_photo\" value=\"{id}\"")));
    }
    assert!(html.contains("Alt text describes a photo for people who can't see it"));
    assert_eq!(html.matches("class=\"required-mark\"").count(), 4);
    assert!(html.contains("maxlength=\"100\"") && html.contains("maxlength=\"10000\""));

    // The third becomes the cover, the first goes, the second gets a description.
    let fixed = post_listing(
        &app,
        furniture,
        &[
            ("title", "Oak table"),
            ("body", "Three photos."),
            ("zip", "94110"),
            ("pending_photo", &ids[0]),
            ("pending_photo", &ids[1]),
            ("pending_photo", &ids[2]),
            (&format!("position_{}", ids[0]), "1"),
            (&format!("position_{}", ids[1]), "3"),
            (&format!("position_{}", ids[2]), "2"),
            ("remove_photo", &ids[0]),
            (&format!("alt_{}", ids[1]), "The table from the side"),
        ],
        vec![],
    )
    .await;
    assert_eq!(fixed.status(), StatusCode::SEE_OTHER);
    let rows = crate::messages::count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM listing_photos
              WHERE (id = '{}' AND position = 0 AND alt_text = '')
                 OR (id = '{}' AND position = 1 AND alt_text = 'The table from the side')",
            ids[2], ids[1]
        ),
    );
    assert_eq!(rows, 2, "the third first, then the described second");
    assert_eq!(
        crate::messages::count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM listing_photos WHERE id = '{}' AND listing_id IS NOT NULL",
                ids[0]
            )
        ),
        0,
        "the removed one is not on the listing"
    );
}
