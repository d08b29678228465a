// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "cube"))]
    pub struct Cube;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    account_tokens (token_hash) {
        token_hash -> Bytea,
        user_id -> Int8,
        purpose -> Text,
        email -> Nullable<Text>,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_refresh_tokens (token_hash) {
        token_hash -> Bytea,
        family -> Uuid,
        user_id -> Int8,
        auth_epoch -> Int4,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    appeals (id) {
        id -> Int8,
        listing_id -> Int8,
        user_id -> Int8,
        message -> Text,
        moderated_at -> Timestamptz,
        decision -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        admin_id -> Int8,
        action -> Text,
        target_kind -> Text,
        target_id -> Int8,
        target_label -> Text,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> Int8,
        blocked_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    categories (id) {
        id -> Int4,
        section_id -> Int2,
        slug -> Text,
        name -> Text,
        position -> Int2,
        attributes -> Jsonb,
        allows_free -> Bool,
        retired_at -> Nullable<Timestamptz>,
        price_kind -> Text,
    }
}

diesel::table! {
    category_listing_counts (category_id) {
        category_id -> Int4,
        listings -> Int4,
    }
}

diesel::table! {
    chat_guests (id) {
        id -> Int8,
        token_hash -> Bytea,
        name -> Text,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
    }
}

diesel::table! {
    conversation_members (id) {
        id -> Int8,
        conversation_id -> Int8,
        user_id -> Nullable<Int8>,
        last_read_message_id -> Int8,
        unread -> Int4,
        archived -> Bool,
        activity_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
        notified_at -> Nullable<Timestamptz>,
        joined_at -> Timestamptz,
        guest_id -> Nullable<Int8>,
        display_name -> Nullable<Text>,
        seen_at -> Nullable<Timestamptz>,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    conversations (id) {
        id -> Int8,
        kind -> Text,
        listing_id -> Nullable<Int8>,
        started_by -> Nullable<Int8>,
        room_key -> Nullable<Text>,
        title -> Nullable<Text>,
        last_message_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        last_message_id -> Nullable<Int8>,
        pair_key -> Nullable<Text>,
        message_count -> Int4,
        owner_guest_id -> Nullable<Int8>,
        closed_at -> Nullable<Timestamptz>,
        revision -> Int4,
    }
}

diesel::table! {
    event_streams (user_id) {
        user_id -> Int8,
        seq -> Int8,
        unread -> Int8,
    }
}

diesel::table! {
    expiry_reminders (listing_id, expires_at) {
        listing_id -> Int8,
        expires_at -> Timestamptz,
        sent_at -> Timestamptz,
    }
}

diesel::table! {
    favorites (user_id, listing_id) {
        user_id -> Int8,
        listing_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    flags (listing_id, user_id) {
        listing_id -> Int8,
        user_id -> Int8,
        reason -> Text,
        note -> Text,
        weight -> Float4,
        decision -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Int8,
        kind -> Text,
        payload -> Jsonb,
        unique_key -> Nullable<Text>,
        state -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listing_changes (id) {
        id -> Int8,
        listing_id -> Int8,
        kind -> Text,
        old_price_cents -> Nullable<Int8>,
        new_price_cents -> Nullable<Int8>,
        created_at -> Timestamptz,
        mailed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    listing_history (id) {
        id -> Int8,
        listing_id -> Int8,
        actor_id -> Nullable<Int8>,
        changes -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listing_photos (id) {
        id -> Uuid,
        owner_id -> Int8,
        listing_id -> Nullable<Int8>,
        position -> Int2,
        display_key -> Text,
        thumb_key -> Text,
        width -> Int4,
        height -> Int4,
        alt_text -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listing_views (listing_id) {
        listing_id -> Int8,
        views -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    listings (id) {
        id -> Int8,
        owner_id -> Int8,
        category_id -> Int4,
        title -> Text,
        body -> Text,
        price_cents -> Nullable<Int8>,
        is_free -> Bool,
        zip -> Text,
        latitude -> Float8,
        longitude -> Float8,
        attributes -> Jsonb,
        status -> Text,
        expires_at -> Timestamptz,
        renewed_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
        photo_count -> Int2,
        cover_thumb_key -> Nullable<Text>,
        pairs -> Nullable<Tsvector>,
        deleted_at -> Nullable<Timestamptz>,
        status_before_delete -> Nullable<Text>,
        moderation_reason -> Nullable<Text>,
        moderated_at -> Nullable<Timestamptz>,
        status_before_moderation -> Nullable<Text>,
        flag_weight -> Float4,
        hidden_by_ban -> Bool,
        price_unit -> Nullable<Text>,
        price_max_cents -> Nullable<Int8>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        section_id -> Int2,
    }
}

diesel::table! {
    member_events (user_id, seq) {
        user_id -> Int8,
        seq -> Int8,
        kind -> Text,
        conversation_id -> Nullable<Int8>,
        message_id -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    message_reports (id) {
        message_id -> Int8,
        reporter_id -> Nullable<Int8>,
        reason -> Text,
        created_at -> Timestamptz,
        decision -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        id -> Int8,
        reporter_guest_id -> Nullable<Int8>,
    }
}

diesel::table! {
    messages (id) {
        id -> Int8,
        conversation_id -> Int8,
        member_id -> Int8,
        kind -> Text,
        body -> Text,
        image_key -> Nullable<Text>,
        image_width -> Nullable<Int4>,
        image_height -> Nullable<Int4>,
        video_source -> Nullable<Text>,
        video_id -> Nullable<Text>,
        video_seconds -> Nullable<Int4>,
        created_at -> Timestamptz,
        image_url -> Nullable<Text>,
        seq -> Int4,
    }
}

diesel::table! {
    places (zip) {
        zip -> Text,
        city -> Text,
        state -> Text,
        latitude -> Float8,
        longitude -> Float8,
    }
}

diesel::table! {
    profile_reports (user_id, reporter_id) {
        user_id -> Int8,
        reporter_id -> Int8,
        reason -> Text,
        decision -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    saved_searches (id) {
        id -> Int8,
        user_id -> Int8,
        name -> Text,
        query -> Text,
        last_seen_at -> Timestamptz,
        created_at -> Timestamptz,
        new_matches -> Nullable<Int4>,
        counted_at -> Nullable<Timestamptz>,
        alert -> Text,
        alert_checked_at -> Timestamptz,
        alert_mailed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sections (id) {
        id -> Int2,
        slug -> Text,
        name -> Text,
        position -> Int2,
    }
}

diesel::table! {
    title_words (word) {
        word -> Text,
    }
}

diesel::table! {
    user_sessions (token_hash) {
        token_hash -> Bytea,
        user_id -> Int8,
        auth_epoch -> Int4,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        user_agent -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        bio -> Text,
        home_zip -> Nullable<Text>,
        avatar_key -> Nullable<Text>,
        role -> Text,
        status -> Text,
        auth_epoch -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        email_verified_at -> Nullable<Timestamptz>,
        message_mail -> Bool,
        expiry_mail -> Bool,
        favorite_mail -> Bool,
    }
}

diesel::table! {
    zip_category_counts (zip, category_id) {
        zip -> Text,
        category_id -> Int4,
        listings -> Int4,
    }
}

diesel::table! {
    zip_listing_counts (zip) {
        zip -> Text,
        latitude -> Float8,
        longitude -> Float8,
        listings -> Int4,
    }
}

diesel::table! {
    friend_answers (user_id, subject_id) {
        user_id -> Int8,
        subject_id -> Int8,
        yes -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    friend_decks (user_id) {
        user_id -> Int8,
        candidates -> Array<Int8>,
        built_at -> Timestamptz,
    }
}

diesel::table! {
    friend_matches (id) {
        id -> Int8,
        user_low -> Int8,
        user_high -> Int8,
        conversation_id -> Nullable<Int8>,
        shared -> Array<Text>,
        created_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        ended_by -> Nullable<Int8>,
    }
}

diesel::table! {
    friend_photos (id) {
        id -> Int8,
        user_id -> Int8,
        key -> Text,
        width -> Int4,
        height -> Int4,
        position -> Int2,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Cube;

    friend_profiles (user_id) {
        user_id -> Int8,
        about -> Text,
        hobbies -> Array<Text>,
        interests -> Array<Text>,
        zip -> Text,
        city -> Text,
        latitude -> Float8,
        longitude -> Float8,
        radius_miles -> Int4,
        visible -> Bool,
        active_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        earth -> Cube,
        reach -> Cube,
    }
}

diesel::joinable!(account_tokens -> users (user_id));
diesel::joinable!(api_refresh_tokens -> users (user_id));
diesel::joinable!(appeals -> listings (listing_id));
diesel::joinable!(appeals -> users (user_id));
diesel::joinable!(audit_log -> users (admin_id));
diesel::joinable!(categories -> sections (section_id));
diesel::joinable!(category_listing_counts -> categories (category_id));
diesel::joinable!(conversation_members -> chat_guests (guest_id));
diesel::joinable!(conversation_members -> conversations (conversation_id));
diesel::joinable!(conversation_members -> users (user_id));
diesel::joinable!(conversations -> chat_guests (owner_guest_id));
diesel::joinable!(conversations -> listings (listing_id));
diesel::joinable!(conversations -> users (started_by));
diesel::joinable!(event_streams -> users (user_id));
diesel::joinable!(expiry_reminders -> listings (listing_id));
diesel::joinable!(favorites -> listings (listing_id));
diesel::joinable!(favorites -> users (user_id));
diesel::joinable!(flags -> listings (listing_id));
diesel::joinable!(flags -> users (user_id));
diesel::joinable!(listing_changes -> listings (listing_id));
diesel::joinable!(listing_history -> listings (listing_id));
diesel::joinable!(listing_photos -> listings (listing_id));
diesel::joinable!(listing_views -> listings (listing_id));
diesel::joinable!(listing_photos -> users (owner_id));
diesel::joinable!(listings -> categories (category_id));
diesel::joinable!(listings -> places (zip));
diesel::joinable!(listings -> users (owner_id));
diesel::joinable!(member_events -> conversations (conversation_id));
diesel::joinable!(member_events -> users (user_id));
diesel::joinable!(friend_decks -> users (user_id));
diesel::joinable!(friend_photos -> friend_profiles (user_id));
diesel::joinable!(friend_profiles -> users (user_id));
diesel::joinable!(message_reports -> messages (message_id));
diesel::joinable!(message_reports -> users (reporter_id));
diesel::joinable!(message_reports -> chat_guests (reporter_guest_id));
diesel::joinable!(messages -> conversation_members (member_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(saved_searches -> users (user_id));
diesel::joinable!(user_sessions -> users (user_id));
diesel::joinable!(zip_category_counts -> categories (category_id));

diesel::allow_tables_to_appear_in_same_query!(
    friend_answers,
    friend_decks,
    friend_matches,
    friend_photos,
    friend_profiles,
    account_tokens,
    api_refresh_tokens,
    appeals,
    audit_log,
    blocks,
    categories,
    category_listing_counts,
    chat_guests,
    conversation_members,
    conversations,
    event_streams,
    expiry_reminders,
    favorites,
    flags,
    jobs,
    listing_changes,
    listing_history,
    listing_photos,
    listing_views,
    listings,
    member_events,
    message_reports,
    messages,
    places,
    profile_reports,
    rate_limits,
    saved_searches,
    sections,
    title_words,
    user_sessions,
    users,
    zip_category_counts,
    zip_listing_counts,
);
