use super::views::{HomePage, SectionTeaser};
use crate::web::PageContext;

/// The six sections every Corkboard has; the category tree behind them lives in the database.
const SECTIONS: &[SectionTeaser] = &[
    SectionTeaser {
        name: "For sale",
        blurb: "Furniture, bikes, electronics, cars and free stuff from people nearby.",
    },
    SectionTeaser {
        name: "Housing",
        blurb: "Apartments, rooms and sublets, with photos and a map.",
    },
    SectionTeaser {
        name: "Jobs",
        blurb: "Local work, full-time, part-time and remote.",
    },
    SectionTeaser {
        name: "Services",
        blurb: "Movers, tutors, repairs and everything in between.",
    },
    SectionTeaser {
        name: "Community",
        blurb: "Events, activities, lost and found.",
    },
    SectionTeaser {
        name: "Gigs",
        blurb: "Short jobs, paid or volunteer.",
    },
];

/// `GET /`
pub async fn show_home(ctx: PageContext) -> HomePage {
    HomePage {
        ctx,
        sections: SECTIONS,
    }
}
