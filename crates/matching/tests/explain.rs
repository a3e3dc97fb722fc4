//! Why roles stay unfilled, as the organizer's preview says it.

use cohort_matching::csv::{parse_needs, parse_volunteers};
use cohort_matching::taxonomy::Taxonomy;
use cohort_matching::{assign, explain_unfilled, Unfilled};

const VOLUNTEERS: &str = "\
id,skills,hours_per_week,weeks,utc_offset,state,remote
east,data-analysis:3,10,12,-4,NY,true
novice,front-end:1,10,12,-8,CA,true
busy,copywriting:2,2,12,-8,CA,true
brief,press:2,10,2,-8,CA,true
local,video:2,10,12,-8,OR,false
";

const NEEDS: &str = "\
id,campaign,role,skill,min_level,hours_per_week,weeks,utc_offset,state,remote_ok,priority
analyst,okafor,analyst,data-analysis,2,5,8,-8,CA,true,2
engineer,okafor,front-end engineer,front-end,2,5,8,-8,CA,true,2
copy,okafor,copywriter,copywriting,1,5,8,-8,CA,true,2
press,okafor,press officer,press,1,5,8,-8,CA,true,2
video,okafor,video producer,video,1,5,8,-8,CA,true,2
field,okafor,field organizer,field-organizing,1,5,8,-8,CA,false,2
east-analyst-1,szymanski,analyst,data-analysis,1,5,8,-5,NY,true,3
";

fn reasons() -> Vec<(String, Unfilled, String)> {
    let vs = parse_volunteers("V.csv", VOLUNTEERS).unwrap();
    let ns = parse_needs("N.csv", NEEDS).unwrap();
    let m = assign(&vs, &ns);
    explain_unfilled(&vs, &ns, &m, &Taxonomy::standard())
        .into_iter()
        .map(|(i, why)| (ns[i].id.clone(), why.clone(), why.to_string()))
        .collect()
}

#[test]
fn each_unfilled_role_names_the_requirement_nobody_meets() {
    let got: Vec<(String, String)> = reasons()
        .into_iter()
        .map(|(id, _, text)| (id, text))
        .collect();
    let want = [
        ("analyst", "no data analyst within 3 hours of UTC\u{2212}8 (1 qualifies in other time zones)"),
        ("engineer", "no front-end engineer at level 2 (solid) or above; 1 at a lower level"),
        ("copy", "no copywriter at level 1+ can give 5 hours a week (1 at that level offers fewer)"),
        ("press", "no press officer at level 1+ with the hours is available for 8 weeks (1 offers fewer)"),
        (
            "video",
            "no video producer within 3 hours of UTC\u{2212}8 works remotely or lives in CA (1 qualifies but works locally elsewhere)",
        ),
        ("field", "no field organizer among the volunteers"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_role_that_lost_to_a_better_use_of_its_only_volunteer_says_so() {
    // Add a lower-priority NY analyst role: east goes to the priority-3 one.
    let vs = parse_volunteers("V.csv", VOLUNTEERS).unwrap();
    let ns = parse_needs(
        "N.csv",
        &format!("{NEEDS}east-analyst-2,szymanski,analyst,data-analysis,1,5,8,-5,NY,true,1\n"),
    )
    .unwrap();
    let m = assign(&vs, &ns);
    let why = explain_unfilled(&vs, &ns, &m, &Taxonomy::standard());
    let (i, reason) = why.last().unwrap();
    assert_eq!(ns[*i].id, "east-analyst-2");
    assert_eq!(*reason, Unfilled::Outscored { feasible: 1 });
    assert_eq!(
        reason.to_string(),
        "1 feasible volunteer, placed in another role where they add at least as much to the total score"
    );
}
