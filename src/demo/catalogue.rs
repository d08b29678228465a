//! What the demo posts in each category: titles, bodies, prices and details that belong
//! there (a demo that puts an espresso machine under Bikes looks broken).

/// One thing a demo member might post.
pub struct Item {
    pub title: &'static str,
    /// A sentence about it (the body adds where it is and how to get in touch).
    pub about: &'static str,
    /// Price range in dollars; `None`: no price (jobs, community, free stuff).
    pub dollars: Option<(i64, i64)>,
    /// Details as JSON, merged over random ones for the category's other attributes.
    pub details: &'static str,
}

const fn item(
    title: &'static str,
    about: &'static str,
    dollars: Option<(i64, i64)>,
    details: &'static str,
) -> Item {
    Item {
        title,
        about,
        dollars,
        details,
    }
}

/// The items of a category (by slug); every seeded category has some.
pub fn items(category: &str) -> &'static [Item] {
    match category {
        "furniture" => {
            const ITEMS: &[Item] = &[
                item(
                    "Oak dining table with six chairs",
                    "Solid oak, seats six, a few marks on one leg.",
                    Some((180, 450)),
                    "{}",
                ),
                item(
                    "Grey three-seat sofa",
                    "Comfortable, no pets, no smoke. Cushion covers come off to wash.",
                    Some((150, 600)),
                    "{}",
                ),
                item(
                    "Queen bed frame, walnut",
                    "Slatted base, no box spring needed. Mattress not included.",
                    Some((90, 300)),
                    "{}",
                ),
                item(
                    "Tall bookshelf, five shelves",
                    "Sturdy pine bookshelf, 72 inches tall.",
                    Some((25, 80)),
                    "{}",
                ),
                item(
                    "Mid-century dresser",
                    "Six drawers, all glide smoothly. Original handles.",
                    Some((120, 380)),
                    "{}",
                ),
                item(
                    "Standing desk, electric",
                    "Goes from 28 to 47 inches, with memory presets.",
                    Some((150, 350)),
                    "{}",
                ),
                item(
                    "Ergonomic office chair",
                    "Adjustable arms and lumbar support.",
                    Some((60, 220)),
                    "{}",
                ),
                item(
                    "Round coffee table",
                    "Glass top on a wooden base.",
                    Some((30, 120)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "electronics" => {
            const ITEMS: &[Item] = &[
                item(
                    "27-inch 4K monitor",
                    "USB-C with power delivery, stand included.",
                    Some((150, 320)),
                    r#"{"make":"Dell","model":"U2723QE"}"#,
                ),
                item(
                    "Turntable with built-in preamp",
                    "Plays 33 and 45. New stylus last year.",
                    Some((80, 200)),
                    r#"{"make":"Audio-Technica","model":"AT-LP120X"}"#,
                ),
                item(
                    "Noise-cancelling headphones",
                    "Case and cable included, battery still great.",
                    Some((90, 220)),
                    r#"{"make":"Sony","model":"WH-1000XM4"}"#,
                ),
                item(
                    "Laptop, 16 GB RAM",
                    "Fresh install, charger included. Minor scuffs on the lid.",
                    Some((350, 900)),
                    r#"{"make":"Lenovo","model":"ThinkPad T14"}"#,
                ),
                item(
                    "Bluetooth bookshelf speakers",
                    "A pair, with remote.",
                    Some((70, 180)),
                    r#"{"make":"Edifier","model":"R1280DB"}"#,
                ),
                item(
                    "Game console with two controllers",
                    "Works perfectly, comes with three games.",
                    Some((180, 350)),
                    r#"{"make":"Nintendo","model":"Switch"}"#,
                ),
                item(
                    "Mirrorless camera body",
                    "Low shutter count, two batteries.",
                    Some((400, 900)),
                    r#"{"make":"Fujifilm","model":"X-T3"}"#,
                ),
                item(
                    "Wireless router",
                    "Wi-Fi 6, covers a three-bedroom flat.",
                    Some((40, 110)),
                    r#"{"make":"TP-Link","model":"Archer AX55"}"#,
                ),
            ];
            ITEMS
        }
        "bikes" => {
            const ITEMS: &[Item] = &[
                item(
                    "Road bike, 56 cm frame",
                    "Aluminium frame, 18 speeds, new tyres.",
                    Some((250, 700)),
                    r#"{"make":"Trek"}"#,
                ),
                item(
                    "Mountain bike, front suspension",
                    "Hydraulic disc brakes, medium frame.",
                    Some((300, 900)),
                    r#"{"make":"Specialized"}"#,
                ),
                item(
                    "Commuter bike with rack and lights",
                    "Fenders, rear rack, dynamo lights.",
                    Some((180, 450)),
                    r#"{"make":"Giant"}"#,
                ),
                item(
                    "Kids' bike, 20-inch wheels",
                    "For ages 6 to 9, training wheels included.",
                    Some((40, 120)),
                    r#"{"make":"Schwinn"}"#,
                ),
                item(
                    "Folding bike",
                    "Folds in ten seconds, fits under a desk.",
                    Some((300, 800)),
                    r#"{"make":"Brompton"}"#,
                ),
                item(
                    "Single-speed city bike",
                    "Light, simple, flip-flop hub.",
                    Some((150, 350)),
                    r#"{"make":"State Bicycle"}"#,
                ),
                item(
                    "Electric cargo bike",
                    "Carries two kids or a week of groceries. Two batteries.",
                    Some((1500, 3200)),
                    r#"{"make":"Tern"}"#,
                ),
                item(
                    "Vintage steel touring bike",
                    "Lugged steel, recently overhauled.",
                    Some((200, 500)),
                    r#"{"make":"Peugeot"}"#,
                ),
            ];
            ITEMS
        }
        "cars-trucks" => {
            const ITEMS: &[Item] = &[
                item(
                    "2014 Toyota Corolla",
                    "One owner, full service history, new brakes.",
                    Some((7500, 11000)),
                    r#"{"make":"Toyota","model":"Corolla","year":2014}"#,
                ),
                item(
                    "2011 Honda Civic",
                    "Reliable commuter, clean title.",
                    Some((5000, 8000)),
                    r#"{"make":"Honda","model":"Civic","year":2011}"#,
                ),
                item(
                    "2018 Ford F-150",
                    "Crew cab, towing package, bed liner.",
                    Some((21000, 29000)),
                    r#"{"make":"Ford","model":"F-150","year":2018}"#,
                ),
                item(
                    "2016 Subaru Outback",
                    "All-wheel drive, roof rails, winter tyres included.",
                    Some((12000, 17000)),
                    r#"{"make":"Subaru","model":"Outback","year":2016}"#,
                ),
                item(
                    "2009 Volkswagen Golf",
                    "Manual, runs well, some rust on the sills.",
                    Some((2500, 4500)),
                    r#"{"make":"Volkswagen","model":"Golf","year":2009}"#,
                ),
                item(
                    "2020 Tesla Model 3",
                    "Long range, home charger cable included.",
                    Some((24000, 31000)),
                    r#"{"make":"Tesla","model":"Model 3","year":2020}"#,
                ),
                item(
                    "2013 Mazda 3 hatchback",
                    "Great on gas, new battery.",
                    Some((5500, 8500)),
                    r#"{"make":"Mazda","model":"3","year":2013}"#,
                ),
                item(
                    "2007 Toyota Tacoma",
                    "Four-wheel drive, well maintained.",
                    Some((9000, 14000)),
                    r#"{"make":"Toyota","model":"Tacoma","year":2007}"#,
                ),
            ];
            ITEMS
        }
        "household" => {
            const ITEMS: &[Item] = &[
                item(
                    "Espresso machine",
                    "Makes great espresso, descaled last month.",
                    Some((80, 250)),
                    "{}",
                ),
                item(
                    "Rice cooker, 10 cups",
                    "Keeps warm, non-stick pot in good shape.",
                    Some((20, 60)),
                    "{}",
                ),
                item(
                    "Stand mixer",
                    "With dough hook, whisk and paddle.",
                    Some((120, 280)),
                    "{}",
                ),
                item(
                    "Set of cast-iron pans",
                    "Three sizes, well seasoned.",
                    Some((30, 90)),
                    "{}",
                ),
                item(
                    "Vacuum cleaner, cordless",
                    "Two batteries, wall mount.",
                    Some((70, 200)),
                    "{}",
                ),
                item(
                    "Area rug, 5 by 8 feet",
                    "Wool, blue and cream, freshly cleaned.",
                    Some((60, 200)),
                    "{}",
                ),
                item("Floor lamp", "Warm light, dimmable.", Some((20, 70)), "{}"),
                item(
                    "Dish set for eight",
                    "Plates, bowls and mugs, white stoneware.",
                    Some((25, 80)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "clothing" => {
            const ITEMS: &[Item] = &[
                item(
                    "Winter parka, men's medium",
                    "Down filled, warm to well below freezing.",
                    Some((60, 180)),
                    "{}",
                ),
                item(
                    "Leather boots, women's size 8",
                    "Resoled last winter.",
                    Some((40, 120)),
                    "{}",
                ),
                item(
                    "Wool coat, women's small",
                    "Charcoal, lined, dry-cleaned.",
                    Some((50, 150)),
                    "{}",
                ),
                item(
                    "Running shoes, size 10",
                    "Worn twice, wrong size for me.",
                    Some((30, 80)),
                    "{}",
                ),
                item(
                    "Rain jacket, unisex large",
                    "Waterproof and packable.",
                    Some((25, 90)),
                    "{}",
                ),
                item(
                    "Silk scarf",
                    "Hand-printed, never worn.",
                    Some((15, 45)),
                    "{}",
                ),
                item(
                    "Leather handbag",
                    "Brown, lots of pockets.",
                    Some((40, 140)),
                    "{}",
                ),
                item(
                    "Suit, 40 regular",
                    "Navy, worn to one wedding.",
                    Some((80, 220)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "sporting" => {
            const ITEMS: &[Item] = &[
                item(
                    "Two-person camping tent",
                    "Sets up in five minutes, footprint included.",
                    Some((60, 160)),
                    "{}",
                ),
                item(
                    "Sit-on-top kayak with paddle",
                    "Stable and easy for beginners.",
                    Some((250, 550)),
                    "{}",
                ),
                item(
                    "Adjustable dumbbells",
                    "5 to 52 lbs each, with stand.",
                    Some((150, 320)),
                    "{}",
                ),
                item(
                    "Yoga mat and blocks",
                    "Thick mat, two cork blocks.",
                    Some((15, 45)),
                    "{}",
                ),
                item(
                    "Snowboard with bindings",
                    "152 cm, all-mountain.",
                    Some((120, 300)),
                    "{}",
                ),
                item(
                    "Tennis racket",
                    "Restrung this spring, cover included.",
                    Some((40, 110)),
                    "{}",
                ),
                item(
                    "Golf clubs, full set",
                    "Bag, irons, woods and putter.",
                    Some((150, 400)),
                    "{}",
                ),
                item(
                    "Climbing shoes, size 42",
                    "Resoled once, plenty of life left.",
                    Some((40, 90)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "tools" => {
            const ITEMS: &[Item] = &[
                item(
                    "Cordless drill set",
                    "Two batteries, charger, case and bits.",
                    Some((60, 160)),
                    r#"{"make":"DeWalt"}"#,
                ),
                item(
                    "Circular saw",
                    "7-1/4 inch blade, laser guide.",
                    Some((50, 130)),
                    r#"{"make":"Makita"}"#,
                ),
                item(
                    "Socket set, 120 pieces",
                    "Metric and SAE, in a metal case.",
                    Some((40, 110)),
                    r#"{"make":"Craftsman"}"#,
                ),
                item(
                    "Aluminium extension ladder",
                    "24 feet, rated 250 lbs.",
                    Some((90, 220)),
                    r#"{"make":"Werner"}"#,
                ),
                item(
                    "Random orbital sander",
                    "Variable speed, dust bag, spare pads.",
                    Some((35, 90)),
                    r#"{"make":"Bosch"}"#,
                ),
                item(
                    "Table saw with stand",
                    "10-inch blade, fence and mitre gauge.",
                    Some((250, 550)),
                    r#"{"make":"SawStop"}"#,
                ),
                item(
                    "Pressure washer",
                    "Electric, 2000 PSI.",
                    Some((90, 220)),
                    r#"{"make":"Ryobi"}"#,
                ),
                item(
                    "Workbench with vice",
                    "Heavy butcher-block top.",
                    Some((100, 260)),
                    r#"{"make":"Husky"}"#,
                ),
            ];
            ITEMS
        }
        "free" => {
            const ITEMS: &[Item] = &[
                item(
                    "Free: moving boxes",
                    "About thirty boxes, flattened, plus packing paper.",
                    None,
                    "{}",
                ),
                item(
                    "Free: garden soil",
                    "Several bags, bring your own shovel.",
                    None,
                    "{}",
                ),
                item(
                    "Free: old sofa",
                    "Comfortable but worn. You carry it.",
                    None,
                    "{}",
                ),
                item(
                    "Free: children's books",
                    "A big box for ages 3 to 8.",
                    None,
                    "{}",
                ),
                item("Free: firewood", "Seasoned oak, split.", None, "{}"),
                item(
                    "Free: working printer",
                    "Needs a new ink cartridge.",
                    None,
                    "{}",
                ),
                item(
                    "Free: houseplants",
                    "Pothos and spider plant cuttings in pots.",
                    None,
                    "{}",
                ),
                item(
                    "Free: desk",
                    "Simple wooden desk, some scratches.",
                    None,
                    "{}",
                ),
            ];
            ITEMS
        }
        "general" => {
            const ITEMS: &[Item] = &[
                item(
                    "Board game collection",
                    "Twelve games, all pieces counted.",
                    Some((40, 120)),
                    "{}",
                ),
                item(
                    "Vinyl records, 50 albums",
                    "Jazz and soul, mostly from the seventies.",
                    Some((80, 250)),
                    "{}",
                ),
                item(
                    "Acoustic guitar with case",
                    "Full size, new strings.",
                    Some((90, 250)),
                    "{}",
                ),
                item(
                    "Sewing machine",
                    "Threads itself, several presser feet.",
                    Some((60, 160)),
                    "{}",
                ),
                item(
                    "Baby stroller",
                    "Folds with one hand, rain cover included.",
                    Some((60, 180)),
                    "{}",
                ),
                item(
                    "Aquarium, 20 gallons",
                    "Filter, heater and light.",
                    Some((40, 100)),
                    "{}",
                ),
                item(
                    "Framed art prints",
                    "Three prints, ready to hang.",
                    Some((30, 90)),
                    "{}",
                ),
                item(
                    "Piano keyboard, 88 keys",
                    "Weighted keys, stand and pedal.",
                    Some((200, 450)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "apartments" => {
            const ITEMS: &[Item] = &[
                item(
                    "Sunny one-bedroom near the park",
                    "Big windows, laundry in the building.",
                    Some((1600, 2900)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Quiet studio with a kitchenette",
                    "Top floor, heat included.",
                    Some((1100, 1900)),
                    r#"{"bedrooms":0,"bathrooms":1}"#,
                ),
                item(
                    "Two-bedroom with a balcony",
                    "Dishwasher, bike storage, near transit.",
                    Some((2200, 3800)),
                    r#"{"bedrooms":2,"bathrooms":1}"#,
                ),
                item(
                    "Garden apartment, two bedrooms",
                    "Private patio, pets considered.",
                    Some((2000, 3400)),
                    r#"{"bedrooms":2,"bathrooms":1.5}"#,
                ),
                item(
                    "Loft with city views",
                    "Open plan, high ceilings.",
                    Some((2400, 4200)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Three-bedroom family flat",
                    "Near schools and shops.",
                    Some((2800, 4500)),
                    r#"{"bedrooms":3,"bathrooms":2}"#,
                ),
                item(
                    "Renovated one-bedroom",
                    "New kitchen and bathroom.",
                    Some((1700, 3000)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Bright two-bedroom, top floor",
                    "Hardwood floors, lots of light.",
                    Some((2100, 3600)),
                    r#"{"bedrooms":2,"bathrooms":1}"#,
                ),
            ];
            ITEMS
        }
        "rooms" => {
            const ITEMS: &[Item] = &[
                item(
                    "Room in a friendly shared house",
                    "Three housemates, shared kitchen and garden.",
                    Some((700, 1300)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Furnished room, utilities included",
                    "Desk, bed and wardrobe.",
                    Some((800, 1400)),
                    r#"{"bedrooms":1,"bathrooms":1,"furnished":true}"#,
                ),
                item(
                    "Room near the university",
                    "Quiet house of grad students.",
                    Some((650, 1100)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Large room with its own bathroom",
                    "Two housemates who work from home.",
                    Some((1000, 1600)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Small room, short walk to the train",
                    "Ideal for someone who travels a lot.",
                    Some((600, 950)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Room in a vegetarian household",
                    "Shared cooking some nights.",
                    Some((750, 1200)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Room with a cat-friendly housemate",
                    "We have one cat; yours is welcome.",
                    Some((700, 1150)),
                    r#"{"bedrooms":1,"bathrooms":1,"cats_ok":true}"#,
                ),
                item(
                    "Sunny room in a family home",
                    "Use of kitchen and laundry.",
                    Some((650, 1000)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
            ];
            ITEMS
        }
        "sublets" => {
            const ITEMS: &[Item] = &[
                item(
                    "Summer sublet, one bedroom",
                    "June to August, furnished.",
                    Some((1400, 2500)),
                    r#"{"bedrooms":1,"bathrooms":1,"furnished":true}"#,
                ),
                item(
                    "Three-month studio sublet",
                    "Available from the first of the month.",
                    Some((1100, 1900)),
                    r#"{"bedrooms":0,"bathrooms":1,"furnished":true}"#,
                ),
                item(
                    "Room sublet while I travel",
                    "Four months, bills included.",
                    Some((700, 1200)),
                    r#"{"bedrooms":1,"bathrooms":1,"furnished":true}"#,
                ),
                item(
                    "Two-bedroom sublet for the semester",
                    "Near campus, furnished.",
                    Some((2000, 3200)),
                    r#"{"bedrooms":2,"bathrooms":1,"furnished":true}"#,
                ),
                item(
                    "Short-term furnished studio",
                    "Monthly, flexible dates.",
                    Some((1300, 2100)),
                    r#"{"bedrooms":0,"bathrooms":1,"furnished":true}"#,
                ),
                item(
                    "Holiday sublet, one bedroom",
                    "December and January.",
                    Some((1200, 2200)),
                    r#"{"bedrooms":1,"bathrooms":1,"furnished":true}"#,
                ),
                item(
                    "Six-week sublet with parking",
                    "Parking spot included.",
                    Some((1500, 2600)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Sublet: loft for two months",
                    "Great light, quiet street.",
                    Some((1800, 3000)),
                    r#"{"bedrooms":1,"bathrooms":1,"furnished":true}"#,
                ),
            ];
            ITEMS
        }
        "real-estate" => {
            const ITEMS: &[Item] = &[
                item(
                    "Three-bedroom house with a yard",
                    "Updated kitchen, two-car garage.",
                    Some((420000, 890000)),
                    r#"{"bedrooms":3,"bathrooms":2}"#,
                ),
                item(
                    "Two-bedroom condo",
                    "Doorman building, gym and roof deck.",
                    Some((380000, 720000)),
                    r#"{"bedrooms":2,"bathrooms":2}"#,
                ),
                item(
                    "Starter home, two bedrooms",
                    "New roof, move-in ready.",
                    Some((260000, 480000)),
                    r#"{"bedrooms":2,"bathrooms":1}"#,
                ),
                item(
                    "Townhouse, three levels",
                    "Walk to shops and the train.",
                    Some((450000, 850000)),
                    r#"{"bedrooms":3,"bathrooms":2.5}"#,
                ),
                item(
                    "One-bedroom condo",
                    "Low fees, south-facing.",
                    Some((250000, 520000)),
                    r#"{"bedrooms":1,"bathrooms":1}"#,
                ),
                item(
                    "Four-bedroom family home",
                    "Quiet cul-de-sac, big garden.",
                    Some((550000, 1100000)),
                    r#"{"bedrooms":4,"bathrooms":3}"#,
                ),
                item(
                    "Duplex, rent one half",
                    "Both units recently renovated.",
                    Some((600000, 1200000)),
                    r#"{"bedrooms":4,"bathrooms":2}"#,
                ),
                item(
                    "Studio condo downtown",
                    "Great first home or investment.",
                    Some((180000, 350000)),
                    r#"{"bedrooms":0,"bathrooms":1}"#,
                ),
            ];
            ITEMS
        }
        "parking" => {
            const ITEMS: &[Item] = &[
                item(
                    "Covered parking space",
                    "Secure garage, monthly.",
                    Some((120, 350)),
                    "{}",
                ),
                item(
                    "Storage unit, 5 by 10 feet",
                    "Ground floor, drive-up access.",
                    Some((60, 160)),
                    "{}",
                ),
                item(
                    "Driveway spot near the station",
                    "Weekdays, monthly.",
                    Some((80, 200)),
                    "{}",
                ),
                item(
                    "Motorcycle parking",
                    "Indoor, with a lock point.",
                    Some((40, 100)),
                    "{}",
                ),
                item(
                    "Garage for rent",
                    "Fits a car or use it as storage.",
                    Some((180, 400)),
                    "{}",
                ),
                item(
                    "Bike storage locker",
                    "Secure, near the park.",
                    Some((15, 40)),
                    "{}",
                ),
                item(
                    "Basement storage room",
                    "Dry, lockable, 80 square feet.",
                    Some((70, 150)),
                    "{}",
                ),
                item(
                    "Tandem parking space",
                    "Monthly, easy in and out.",
                    Some((100, 250)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "office" => {
            const ITEMS: &[Item] = &[
                item(
                    "Office manager",
                    "Keep a busy design studio running.",
                    None,
                    r#"{"compensation":"$55,000–65,000 a year","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Receptionist, mornings",
                    "Front desk at a small law office.",
                    None,
                    r#"{"compensation":"$19–21 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Bookkeeper",
                    "Monthly books for a family business.",
                    None,
                    r#"{"compensation":"$28 an hour","employment_type":"contract","remote":"hybrid"}"#,
                ),
                item(
                    "Administrative assistant",
                    "Scheduling, travel and filing.",
                    None,
                    r#"{"compensation":"$48,000 a year","employment_type":"full-time","remote":"hybrid"}"#,
                ),
                item(
                    "Data entry clerk",
                    "Three-month project.",
                    None,
                    r#"{"compensation":"$18 an hour","employment_type":"temporary","remote":"remote"}"#,
                ),
                item(
                    "Executive assistant",
                    "Support two founders.",
                    None,
                    r#"{"compensation":"$70,000 a year","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Office intern",
                    "Summer internship, paid.",
                    None,
                    r#"{"compensation":"$17 an hour","employment_type":"internship","remote":"on-site"}"#,
                ),
                item(
                    "Payroll specialist",
                    "Mid-sized company, friendly team.",
                    None,
                    r#"{"compensation":"$62,000 a year","employment_type":"full-time","remote":"hybrid"}"#,
                ),
            ];
            ITEMS
        }
        "food" => {
            const ITEMS: &[Item] = &[
                item(
                    "Line cook",
                    "Busy brunch kitchen, weekend shifts.",
                    None,
                    r#"{"compensation":"$20–23 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Barista",
                    "Neighbourhood café, latte art a plus.",
                    None,
                    r#"{"compensation":"$18 an hour plus tips","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Server",
                    "Family restaurant, evenings.",
                    None,
                    r#"{"compensation":"$15 an hour plus tips","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Pastry assistant",
                    "Early mornings in a bakery.",
                    None,
                    r#"{"compensation":"$19 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Dishwasher",
                    "Start immediately.",
                    None,
                    r#"{"compensation":"$17 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Catering assistant",
                    "Events on weekends.",
                    None,
                    r#"{"compensation":"$20 an hour","employment_type":"temporary","remote":"on-site"}"#,
                ),
                item(
                    "Kitchen manager",
                    "Lead a team of six.",
                    None,
                    r#"{"compensation":"$58,000 a year","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Food truck cook",
                    "Lunch service downtown.",
                    None,
                    r#"{"compensation":"$21 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
            ];
            ITEMS
        }
        "retail" => {
            const ITEMS: &[Item] = &[
                item(
                    "Retail associate",
                    "Outdoor gear shop, weekends.",
                    None,
                    r#"{"compensation":"$18 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Store manager",
                    "Independent bookshop.",
                    None,
                    r#"{"compensation":"$55,000 a year","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Cashier",
                    "Grocery co-op, flexible hours.",
                    None,
                    r#"{"compensation":"$17.50 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Visual merchandiser",
                    "Window displays for a boutique.",
                    None,
                    r#"{"compensation":"$22 an hour","employment_type":"contract","remote":"on-site"}"#,
                ),
                item(
                    "Sales representative",
                    "B2B, existing accounts.",
                    None,
                    r#"{"compensation":"$50,000 a year plus commission","employment_type":"full-time","remote":"hybrid"}"#,
                ),
                item(
                    "Stock associate",
                    "Early mornings, no experience needed.",
                    None,
                    r#"{"compensation":"$17 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Holiday seasonal staff",
                    "November to January.",
                    None,
                    r#"{"compensation":"$18 an hour","employment_type":"temporary","remote":"on-site"}"#,
                ),
                item(
                    "Assistant manager",
                    "Shoe store, growing chain.",
                    None,
                    r#"{"compensation":"$46,000 a year","employment_type":"full-time","remote":"on-site"}"#,
                ),
            ];
            ITEMS
        }
        "software" => {
            const ITEMS: &[Item] = &[
                item(
                    "Junior web developer",
                    "Rust and TypeScript, mentoring provided.",
                    None,
                    r#"{"compensation":"$85,000–100,000 a year","employment_type":"full-time","remote":"hybrid"}"#,
                ),
                item(
                    "IT support technician",
                    "Help a 40-person office with their computers.",
                    None,
                    r#"{"compensation":"$26 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Data analyst",
                    "SQL and dashboards for a nonprofit.",
                    None,
                    r#"{"compensation":"$75,000 a year","employment_type":"full-time","remote":"remote"}"#,
                ),
                item(
                    "DevOps engineer",
                    "Kubernetes and PostgreSQL.",
                    None,
                    r#"{"compensation":"$140,000 a year","employment_type":"full-time","remote":"remote"}"#,
                ),
                item(
                    "QA tester",
                    "Six-month contract.",
                    None,
                    r#"{"compensation":"$40 an hour","employment_type":"contract","remote":"remote"}"#,
                ),
                item(
                    "Mobile developer",
                    "Build our first app.",
                    None,
                    r#"{"compensation":"$110,000 a year","employment_type":"full-time","remote":"hybrid"}"#,
                ),
                item(
                    "Software intern",
                    "Summer internship, paid.",
                    None,
                    r#"{"compensation":"$30 an hour","employment_type":"internship","remote":"hybrid"}"#,
                ),
                item(
                    "Network administrator",
                    "Campus network, on call one week a month.",
                    None,
                    r#"{"compensation":"$90,000 a year","employment_type":"full-time","remote":"on-site"}"#,
                ),
            ];
            ITEMS
        }
        "trades" => {
            const ITEMS: &[Item] = &[
                item(
                    "Licensed electrician",
                    "Residential work, company van.",
                    None,
                    r#"{"compensation":"$38–45 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Plumber's apprentice",
                    "Learn the trade with a small crew.",
                    None,
                    r#"{"compensation":"$21 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Carpenter",
                    "Kitchen and bath remodels.",
                    None,
                    r#"{"compensation":"$32 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "HVAC technician",
                    "Service and installs.",
                    None,
                    r#"{"compensation":"$36 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "House painter",
                    "Interior and exterior, summer season.",
                    None,
                    r#"{"compensation":"$25 an hour","employment_type":"temporary","remote":"on-site"}"#,
                ),
                item(
                    "Welder",
                    "Fabrication shop, day shift.",
                    None,
                    r#"{"compensation":"$30 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Roofer",
                    "Experience preferred.",
                    None,
                    r#"{"compensation":"$28 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Auto mechanic",
                    "Independent garage, good tools.",
                    None,
                    r#"{"compensation":"$33 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
            ];
            ITEMS
        }
        "healthcare" => {
            const ITEMS: &[Item] = &[
                item(
                    "Dental assistant",
                    "Friendly family practice.",
                    None,
                    r#"{"compensation":"$24 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Medical receptionist",
                    "Busy clinic front desk.",
                    None,
                    r#"{"compensation":"$20 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Registered nurse, nights",
                    "Hospital ward, sign-on bonus.",
                    None,
                    r#"{"compensation":"$52 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Home care aide",
                    "Visit elderly clients.",
                    None,
                    r#"{"compensation":"$19 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Pharmacy technician",
                    "Neighbourhood pharmacy.",
                    None,
                    r#"{"compensation":"$21 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Physical therapy aide",
                    "Outpatient clinic.",
                    None,
                    r#"{"compensation":"$18 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Medical billing specialist",
                    "Work from home.",
                    None,
                    r#"{"compensation":"$25 an hour","employment_type":"full-time","remote":"remote"}"#,
                ),
                item(
                    "Veterinary technician",
                    "Small-animal practice.",
                    None,
                    r#"{"compensation":"$23 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
            ];
            ITEMS
        }
        "education" => {
            const ITEMS: &[Item] = &[
                item(
                    "Math tutor, high school",
                    "After school, two evenings a week.",
                    None,
                    r#"{"compensation":"$35 an hour","employment_type":"part-time","remote":"hybrid"}"#,
                ),
                item(
                    "Preschool teacher",
                    "Play-based program.",
                    None,
                    r#"{"compensation":"$42,000 a year","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "Teaching assistant",
                    "Elementary classroom.",
                    None,
                    r#"{"compensation":"$19 an hour","employment_type":"full-time","remote":"on-site"}"#,
                ),
                item(
                    "ESL instructor",
                    "Adult evening classes.",
                    None,
                    r#"{"compensation":"$30 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Music teacher",
                    "Community music school.",
                    None,
                    r#"{"compensation":"$32 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "After-school coordinator",
                    "Run activities for 30 kids.",
                    None,
                    r#"{"compensation":"$22 an hour","employment_type":"part-time","remote":"on-site"}"#,
                ),
                item(
                    "Substitute teacher",
                    "On call, all grades.",
                    None,
                    r#"{"compensation":"$180 a day","employment_type":"temporary","remote":"on-site"}"#,
                ),
                item(
                    "Online science tutor",
                    "Chemistry and biology.",
                    None,
                    r#"{"compensation":"$40 an hour","employment_type":"contract","remote":"remote"}"#,
                ),
            ];
            ITEMS
        }
        "household-services" => {
            const ITEMS: &[Item] = &[
                item(
                    "House cleaning, weekly or one-off",
                    "Eco-friendly products, insured.",
                    Some((90, 180)),
                    "{}",
                ),
                item(
                    "Dog walking and pet sitting",
                    "Walks of 30 or 60 minutes.",
                    Some((20, 40)),
                    "{}",
                ),
                item(
                    "Yard work and gardening",
                    "Mowing, weeding, leaf removal.",
                    Some((40, 90)),
                    "{}",
                ),
                item(
                    "Window washing",
                    "Inside and out, up to three storeys.",
                    Some((80, 250)),
                    "{}",
                ),
                item(
                    "Organising and decluttering",
                    "Closets, garages, whole homes.",
                    Some((50, 90)),
                    "{}",
                ),
                item(
                    "Babysitting, evenings",
                    "CPR certified, references.",
                    Some((18, 30)),
                    "{}",
                ),
                item(
                    "Deep carpet cleaning",
                    "Steam cleaning, dries in hours.",
                    Some((100, 250)),
                    "{}",
                ),
                item(
                    "Laundry pickup and delivery",
                    "Washed, folded, back the next day.",
                    Some((25, 60)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "moving" => {
            const ITEMS: &[Item] = &[
                item(
                    "Moving help with a van",
                    "Two movers and a 16-foot van.",
                    Some((90, 150)),
                    "{}",
                ),
                item(
                    "Junk removal",
                    "Same-day pickup, we recycle what we can.",
                    Some((80, 300)),
                    "{}",
                ),
                item(
                    "Piano moving",
                    "Uprights and grands, fully insured.",
                    Some((200, 500)),
                    "{}",
                ),
                item(
                    "Furniture delivery",
                    "From the store or a seller to your door.",
                    Some((50, 120)),
                    "{}",
                ),
                item(
                    "Packing service",
                    "Boxes and materials included.",
                    Some((40, 70)),
                    "{}",
                ),
                item(
                    "Long-distance moves",
                    "Weekly runs between cities.",
                    Some((800, 2500)),
                    "{}",
                ),
                item(
                    "Student moves",
                    "Small loads, student rates.",
                    Some((60, 120)),
                    "{}",
                ),
                item(
                    "Appliance hauling",
                    "Fridges, washers, dryers.",
                    Some((60, 150)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "lessons" => {
            const ITEMS: &[Item] = &[
                item(
                    "Piano lessons for all ages",
                    "In person or online, 30 or 60 minutes.",
                    Some((35, 70)),
                    "{}",
                ),
                item(
                    "Spanish conversation classes",
                    "Small groups, native speaker.",
                    Some((20, 45)),
                    "{}",
                ),
                item(
                    "Guitar lessons",
                    "Beginners welcome, acoustic or electric.",
                    Some((30, 60)),
                    "{}",
                ),
                item(
                    "SAT and ACT prep",
                    "Proven results, flexible schedule.",
                    Some((50, 100)),
                    "{}",
                ),
                item(
                    "Swimming lessons",
                    "Kids and adults, indoor pool.",
                    Some((30, 60)),
                    "{}",
                ),
                item(
                    "Coding for kids",
                    "Scratch and Python, ages 8 to 14.",
                    Some((30, 55)),
                    "{}",
                ),
                item(
                    "Watercolour painting class",
                    "Materials included.",
                    Some((25, 45)),
                    "{}",
                ),
                item(
                    "Chess coaching",
                    "From first moves to tournaments.",
                    Some((25, 50)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "repair" => {
            const ITEMS: &[Item] = &[
                item(
                    "Bike repair and tune-ups",
                    "Most repairs the same day.",
                    Some((30, 90)),
                    "{}",
                ),
                item(
                    "Handyman for small jobs",
                    "Shelves, doors, leaks, furniture assembly.",
                    Some((45, 80)),
                    "{}",
                ),
                item(
                    "Computer and phone repair",
                    "Screens, batteries, virus removal.",
                    Some((40, 150)),
                    "{}",
                ),
                item(
                    "Sewing and alterations",
                    "Hems, zips, tailoring.",
                    Some((10, 60)),
                    "{}",
                ),
                item(
                    "Appliance repair",
                    "Washers, dryers, dishwashers.",
                    Some((80, 200)),
                    "{}",
                ),
                item(
                    "Furniture refinishing",
                    "Tables, chairs, dressers.",
                    Some((100, 400)),
                    "{}",
                ),
                item(
                    "Shoe repair",
                    "Heels, soles and stitching.",
                    Some((15, 60)),
                    "{}",
                ),
                item(
                    "Small engine repair",
                    "Mowers, snow blowers, generators.",
                    Some((50, 150)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "creative" => {
            const ITEMS: &[Item] = &[
                item(
                    "Portrait photography",
                    "Headshots and family photos, edited.",
                    Some((120, 350)),
                    "{}",
                ),
                item(
                    "Logo and brand design",
                    "Three concepts, two rounds of changes.",
                    Some((250, 900)),
                    "{}",
                ),
                item(
                    "Wedding videography",
                    "Full day, edited film.",
                    Some((1200, 3000)),
                    "{}",
                ),
                item(
                    "Custom illustrations",
                    "Portraits, pets, invitations.",
                    Some((60, 300)),
                    "{}",
                ),
                item(
                    "Copywriting and editing",
                    "Websites, newsletters, résumés.",
                    Some((40, 80)),
                    "{}",
                ),
                item(
                    "Live music for events",
                    "Jazz trio, weddings and parties.",
                    Some((400, 1200)),
                    "{}",
                ),
                item(
                    "Website design",
                    "Small businesses, fast turnaround.",
                    Some((500, 2500)),
                    "{}",
                ),
                item(
                    "Mural painting",
                    "Homes, shops and schools.",
                    Some((400, 3000)),
                    "{}",
                ),
            ];
            ITEMS
        }
        "events" => {
            const ITEMS: &[Item] = &[
                item(
                    "Street fair this Saturday",
                    "Food stalls, music and a kids' corner.",
                    None,
                    "{}",
                ),
                item(
                    "Outdoor movie night",
                    "Bring a blanket; the park lawn at sunset.",
                    None,
                    "{}",
                ),
                item(
                    "Farmers market opening day",
                    "Local produce and live music.",
                    None,
                    "{}",
                ),
                item(
                    "Community garden open day",
                    "Tours, seedlings and lemonade.",
                    None,
                    "{}",
                ),
                item(
                    "Jazz in the square",
                    "Free concert every Friday in summer.",
                    None,
                    "{}",
                ),
                item(
                    "Craft fair",
                    "Handmade gifts from local makers.",
                    None,
                    "{}",
                ),
                item(
                    "Neighbourhood clean-up",
                    "Gloves and bags provided.",
                    None,
                    "{}",
                ),
                item(
                    "Poetry reading at the library",
                    "Open mic after the readings.",
                    None,
                    "{}",
                ),
            ];
            ITEMS
        }
        "activities" => {
            const ITEMS: &[Item] = &[
                item(
                    "Running group, Sunday mornings",
                    "5 and 10 km routes, all paces.",
                    None,
                    "{}",
                ),
                item(
                    "Board game night",
                    "Every Thursday at the café; games provided.",
                    None,
                    "{}",
                ),
                item(
                    "Book swap and chat",
                    "Bring a book, take a book.",
                    None,
                    "{}",
                ),
                item(
                    "Choir looking for tenors",
                    "Rehearsals on Tuesday evenings.",
                    None,
                    "{}",
                ),
                item(
                    "Language exchange meetup",
                    "Spanish, French, Japanese and more.",
                    None,
                    "{}",
                ),
                item(
                    "Pickup soccer",
                    "Saturday afternoons, all levels.",
                    None,
                    "{}",
                ),
                item(
                    "Knitting circle",
                    "Beginners welcome; we'll teach you.",
                    None,
                    "{}",
                ),
                item("Birdwatching walk", "Binoculars to lend.", None, "{}"),
            ];
            ITEMS
        }
        "lost-found" => {
            const ITEMS: &[Item] = &[
                item(
                    "Found: grey cat with a blue collar",
                    "Friendly, found near the park.",
                    None,
                    "{}",
                ),
                item(
                    "Lost: keys on a red lanyard",
                    "Lost somewhere on Main Street.",
                    None,
                    "{}",
                ),
                item(
                    "Found: child's scooter",
                    "Left at the playground.",
                    None,
                    "{}",
                ),
                item(
                    "Lost: brown leather wallet",
                    "Reward for its return.",
                    None,
                    "{}",
                ),
                item(
                    "Found: prescription glasses",
                    "Black frames, at the bus stop.",
                    None,
                    "{}",
                ),
                item("Lost: small white dog", "Answers to Biscuit.", None, "{}"),
                item(
                    "Found: bicycle lock key",
                    "On the bike rack by the library.",
                    None,
                    "{}",
                ),
                item("Lost: silver bracelet", "Sentimental value.", None, "{}"),
            ];
            ITEMS
        }
        "volunteers" => {
            const ITEMS: &[Item] = &[
                item(
                    "Volunteers wanted: food bank",
                    "Sort donations on Saturday mornings.",
                    None,
                    "{}",
                ),
                item(
                    "Reading buddies for kids",
                    "One hour a week at the school.",
                    None,
                    "{}",
                ),
                item("Animal shelter dog walkers", "Flexible shifts.", None, "{}"),
                item("Park clean-up crew", "Monthly, tools provided.", None, "{}"),
                item(
                    "Help at the community kitchen",
                    "Cook or serve lunches.",
                    None,
                    "{}",
                ),
                item(
                    "Tech help for seniors",
                    "Teach phones and video calls.",
                    None,
                    "{}",
                ),
                item(
                    "Tree planting day",
                    "Shovels and snacks provided.",
                    None,
                    "{}",
                ),
                item("Museum greeters", "Weekend afternoons.", None, "{}"),
            ];
            ITEMS
        }
        "general-community" => {
            const ITEMS: &[Item] = &[
                item(
                    "Neighbourhood tool library",
                    "Borrow a drill instead of buying one.",
                    None,
                    "{}",
                ),
                item(
                    "Carpool to the city",
                    "Weekday mornings, share the cost.",
                    None,
                    "{}",
                ),
                item(
                    "Looking for a tennis partner",
                    "Intermediate, weekday evenings.",
                    None,
                    "{}",
                ),
                item("Seed swap", "Bring seeds, take seeds.", None, "{}"),
                item(
                    "New parents meetup",
                    "Coffee and a walk with the strollers.",
                    None,
                    "{}",
                ),
                item(
                    "Recommendations for a plumber?",
                    "Please share who you trust.",
                    None,
                    "{}",
                ),
                item(
                    "Little free library opened",
                    "At the corner by the bakery.",
                    None,
                    "{}",
                ),
                item("Block party planning", "Help us pick a date.", None, "{}"),
            ];
            ITEMS
        }
        "labor" => {
            const ITEMS: &[Item] = &[
                item(
                    "Help moving a couch this Saturday",
                    "Two hours, up one flight of stairs.",
                    Some((40, 80)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Yard clean-up helper",
                    "One day of raking and hauling.",
                    Some((100, 160)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Furniture assembly",
                    "Two bookcases and a bed.",
                    Some((50, 100)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Flyer distribution",
                    "Four hours, your own neighbourhood.",
                    Some((60, 90)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Garage clear-out",
                    "Load a truck for the dump.",
                    Some((80, 150)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Snow shovelling",
                    "After each storm this winter.",
                    Some((30, 60)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Help at a garage sale",
                    "Saturday morning.",
                    Some((50, 80)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Painting a fence",
                    "One weekend, paint supplied.",
                    Some((150, 250)),
                    r#"{"paid":"paid"}"#,
                ),
            ];
            ITEMS
        }
        "creative-gigs" => {
            const ITEMS: &[Item] = &[
                item(
                    "Logo for a new bakery",
                    "Simple and warm; quick turnaround.",
                    Some((150, 400)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Photos of our café for the website",
                    "Two hours of shooting.",
                    Some((150, 300)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Voice-over for a short video",
                    "Two minutes of narration.",
                    Some((80, 200)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Illustrated birthday card",
                    "A custom drawing of our dog.",
                    Some((40, 90)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Photo editing, 50 photos",
                    "Colour correction for a small shop.",
                    Some((60, 150)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Musician for a garden party",
                    "Acoustic set, two hours.",
                    Some((150, 350)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Chalkboard menu lettering",
                    "For a new coffee shop.",
                    Some((80, 200)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Short film extras",
                    "One evening, unpaid but fun; dinner provided.",
                    None,
                    r#"{"paid":"unpaid"}"#,
                ),
            ];
            ITEMS
        }
        "event-gigs" => {
            const ITEMS: &[Item] = &[
                item(
                    "Event setup crew",
                    "Chairs and tables for a wedding.",
                    Some((100, 180)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Catering help for a party",
                    "Serve drinks for four hours.",
                    Some((90, 150)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Coat check at a gala",
                    "One evening.",
                    Some((80, 130)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Face painter for a birthday",
                    "Two hours, ages 4 to 8.",
                    Some((100, 180)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "DJ for a school dance",
                    "Three hours, clean playlist.",
                    Some((200, 400)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Festival parking attendants",
                    "Saturday and Sunday.",
                    Some((120, 200)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Ticket scanners for a concert",
                    "One night.",
                    Some((90, 140)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Photographer for a small party",
                    "Candid photos, two hours.",
                    Some((150, 300)),
                    r#"{"paid":"paid"}"#,
                ),
            ];
            ITEMS
        }
        "computer-gigs" => {
            const ITEMS: &[Item] = &[
                item(
                    "Fix our small business website",
                    "WordPress, a few broken pages.",
                    Some((100, 300)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Set up a home network",
                    "Router, printer and two laptops.",
                    Some((80, 150)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Spreadsheet clean-up",
                    "Merge three lists of customers.",
                    Some((60, 150)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Data entry from paper forms",
                    "About 300 forms.",
                    Some((120, 250)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Teach me to use my new laptop",
                    "Two sessions at home.",
                    Some((50, 100)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Recover photos from an old phone",
                    "Phone turns on, screen cracked.",
                    Some((60, 120)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Online shop product listings",
                    "Write up 40 products.",
                    Some((150, 300)),
                    r#"{"paid":"paid"}"#,
                ),
                item(
                    "Build a simple landing page",
                    "One page with a contact form.",
                    Some((200, 500)),
                    r#"{"paid":"paid"}"#,
                ),
            ];
            ITEMS
        }
        _ => &[],
    }
}
