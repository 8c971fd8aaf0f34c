"""Text and place data for the demo generator (exchange/demo/): data only, plus its parser.

Departments are real US health departments with approximate populations; the lessons
attached to them in demo mode are fictional. Scenario templates are written the way
practitioners describe their work, with {slots} that demo.py fills per department and
per lesson (see SLOTS). Kept as compact text so a newcomer can add a scenario by
copying one block.
"""

from __future__ import annotations

# name | place (as written in a sentence) | root (for partner names) | type | state | population | urban-rural
REAL_DEPARTMENTS = """
Boston Public Health Commission | Boston | Boston | city | MA | 675647 | large central metro
Cambridge Public Health Department | Cambridge | Cambridge | city | MA | 118403 | large fringe metro
Worcester Division of Public Health | Worcester | Worcester | city | MA | 206518 | medium metro
Springfield Department of Health and Human Services | Springfield | Springfield | city | MA | 155929 | medium metro
Lowell Health Department | Lowell | Lowell | city | MA | 115554 | large fringe metro
Mashpee Wampanoag Tribe Health and Human Services | the Mashpee Wampanoag Tribe | Mashpee | tribal | MA | 3200 | small metro
Hartford Department of Health and Human Services | Hartford | Hartford | city | CT | 121054 | large central metro
New Haven Health Department | New Haven | New Haven | city | CT | 135081 | medium metro
Quinnipiack Valley Health District | the Quinnipiack Valley | Quinnipiack | multi-county district | CT | 84000 | medium metro
Naugatuck Valley Health District | the Naugatuck Valley | Naugatuck | multi-county district | CT | 108000 | medium metro
Rhode Island Department of Health | Rhode Island | Rhode Island | state | RI | 1097379 | large fringe metro
Maine Center for Disease Control and Prevention | Maine | Maine | state | ME | 1395722 | micropolitan
Bangor Public Health and Community Services | Bangor | Bangor | city | ME | 31753 | small metro
Vermont Department of Health | Vermont | Vermont | state | VT | 647464 | micropolitan
Manchester Health Department | Manchester | Manchester | city | NH | 115644 | medium metro
New York City Department of Health and Mental Hygiene | New York City | New York | city | NY | 8258035 | large central metro
Erie County Department of Health | Erie County | Erie | county | NY | 950312 | large central metro
Monroe County Department of Public Health | Monroe County | Monroe | county | NY | 752035 | large central metro
Onondaga County Health Department | Onondaga County | Onondaga | county | NY | 467873 | medium metro
Westchester County Department of Health | Westchester County | Westchester | county | NY | 997904 | large fringe metro
Tompkins County Whole Health | Tompkins County | Tompkins | county | NY | 105162 | small metro
Albany County Department of Health | Albany County | Albany | county | NY | 315811 | medium metro
Chautauqua County Department of Health and Human Services | Chautauqua County | Chautauqua | county | NY | 125031 | micropolitan
Hamilton County Public Health Services | Hamilton County | Hamilton | county | NY | 5107 | noncore
Saint Regis Mohawk Tribe Health Services | the Saint Regis Mohawk Tribe | Akwesasne | tribal | NY | 3300 | noncore
Newark Department of Health and Community Wellness | Newark | Newark | city | NJ | 305344 | large central metro
Camden County Department of Health and Human Services | Camden County | Camden | county | NJ | 523771 | large fringe metro
Hudson Regional Health Commission | Hudson County | Hudson | multi-county district | NJ | 380000 | large central metro
Puerto Rico Department of Health | Puerto Rico | Puerto Rico | territorial | PR | 3205691 | medium metro
Virgin Islands Department of Health | the U.S. Virgin Islands | Virgin Islands | territorial | VI | 87146 | micropolitan
DC Health | the District of Columbia | DC | city-county | DC | 678972 | large central metro
Baltimore City Health Department | Baltimore | Baltimore | city | MD | 569931 | large central metro
Montgomery County Department of Health and Human Services | Montgomery County | Montgomery | county | MD | 1058474 | large fringe metro
Prince George's County Health Department | Prince George's County | Prince George's | county | MD | 947430 | large fringe metro
Howard County Health Department | Howard County | Howard | county | MD | 335411 | large fringe metro
Garrett County Health Department | Garrett County | Garrett | county | MD | 28806 | noncore
Philadelphia Department of Public Health | Philadelphia | Philadelphia | city-county | PA | 1550542 | large central metro
Allegheny County Health Department | Allegheny County | Allegheny | county | PA | 1224825 | large central metro
Chester County Health Department | Chester County | Chester | county | PA | 545823 | large fringe metro
Allentown Health Bureau | Allentown | Allentown | city | PA | 125944 | medium metro
Richmond City and Henrico County Health Districts | Richmond and Henrico County | Richmond | multi-county district | VA | 565000 | large central metro
Lenowisco Health District | far southwest Virginia | Lenowisco | multi-county district | VA | 84000 | noncore
Arlington County Public Health Division | Arlington County | Arlington | county | VA | 234000 | large fringe metro
Kanawha-Charleston Health Department | Kanawha County | Kanawha | city-county | WV | 175515 | small metro
Delaware Division of Public Health | Delaware | Delaware | state | DE | 1031890 | medium metro
Florida Department of Health in Miami-Dade County | Miami-Dade County | Miami-Dade | county | FL | 2701767 | large central metro
Florida Department of Health in Leon County | Leon County | Leon | county | FL | 296913 | medium metro
Fulton County Board of Health | Fulton County | Fulton | county | GA | 1079105 | large central metro
DeKalb County Board of Health | DeKalb County | DeKalb | county | GA | 762992 | large central metro
Coastal Health District | coastal Georgia | Coastal | multi-county district | GA | 640000 | medium metro
Louisville Metro Department of Public Health and Wellness | Louisville | Louisville | city-county | KY | 782969 | large central metro
Lexington-Fayette County Health Department | Lexington | Lexington | city-county | KY | 322570 | medium metro
Kentucky River District Health Department | the Kentucky River district | Kentucky River | multi-county district | KY | 105000 | noncore
Mecklenburg County Public Health | Mecklenburg County | Mecklenburg | county | NC | 1145392 | large central metro
Durham County Department of Public Health | Durham County | Durham | county | NC | 332680 | medium metro
Robeson County Health Department | Robeson County | Robeson | county | NC | 116530 | micropolitan
Eastern Band of Cherokee Indians Public Health and Human Services | the Qualla Boundary | Qualla | tribal | NC | 16000 | noncore
Shelby County Health Department | Shelby County | Shelby | county | TN | 910042 | large central metro
Metro Public Health Department of Nashville and Davidson County | Nashville | Nashville | city-county | TN | 715884 | large central metro
Mississippi State Department of Health | Mississippi | Mississippi | state | MS | 2939690 | micropolitan
Hennepin County Public Health | Hennepin County | Hennepin | county | MN | 1281565 | large central metro
Minneapolis Health Department | Minneapolis | Minneapolis | city | MN | 425115 | large central metro
Saint Paul - Ramsey County Public Health | Ramsey County | Ramsey | city-county | MN | 549377 | large central metro
Countryside Public Health | western Minnesota | Countryside | multi-county district | MN | 43000 | noncore
Horizon Public Health | west central Minnesota | Horizon | multi-county district | MN | 62000 | micropolitan
Red Lake Comprehensive Health Services | the Red Lake Nation | Red Lake | tribal | MN | 12000 | noncore
Chicago Department of Public Health | Chicago | Chicago | city | IL | 2664452 | large central metro
Cook County Department of Public Health | suburban Cook County | Cook | county | IL | 2500000 | large central metro
Champaign-Urbana Public Health District | Champaign County | Champaign | city-county | IL | 205865 | small metro
Marion County Public Health Department | Marion County | Marion | county | IN | 969466 | large central metro
Detroit Health Department | Detroit | Detroit | city | MI | 633218 | large central metro
Washtenaw County Health Department | Washtenaw County | Washtenaw | county | MI | 372258 | medium metro
Columbus Public Health | Columbus | Columbus | city | OH | 913175 | large central metro
Cuyahoga County Board of Health | Cuyahoga County | Cuyahoga | county | OH | 1233088 | large central metro
Public Health Madison & Dane County | Dane County | Dane | city-county | WI | 568203 | medium metro
Milwaukee Health Department | Milwaukee | Milwaukee | city | WI | 561385 | large central metro
Harris County Public Health | Harris County | Harris | county | TX | 4780913 | large central metro
Houston Health Department | Houston | Houston | city | TX | 2314157 | large central metro
Dallas County Health and Human Services | Dallas County | Dallas | county | TX | 2606358 | large central metro
Austin Public Health | Austin | Austin | city | TX | 974447 | large central metro
San Antonio Metropolitan Health District | San Antonio | San Antonio | city-county | TX | 1495295 | large central metro
Hidalgo County Health and Human Services | Hidalgo County | Hidalgo | county | TX | 888367 | medium metro
Brazos County Health District | Brazos County | Brazos | county | TX | 240000 | small metro
Louisiana Department of Health | Louisiana | Louisiana | state | LA | 4573749 | medium metro
New Orleans Health Department | New Orleans | New Orleans | city | LA | 364136 | large central metro
Arkansas Department of Health | Arkansas | Arkansas | state | AR | 3067732 | micropolitan
Oklahoma City-County Health Department | Oklahoma City | Oklahoma City | city-county | OK | 802559 | large central metro
Tulsa Health Department | Tulsa County | Tulsa | city-county | OK | 677358 | large central metro
Cherokee Nation Public Health | the Cherokee Nation reservation | Cherokee | tribal | OK | 140000 | micropolitan
Chickasaw Nation Department of Health | the Chickasaw Nation | Chickasaw | tribal | OK | 70000 | noncore
New Mexico Department of Health | New Mexico | New Mexico | state | NM | 2114371 | medium metro
Kansas City Health Department | Kansas City | Kansas City | city | MO | 509297 | large central metro
City of St. Louis Department of Health | St. Louis | St. Louis | city | MO | 281754 | large central metro
St. Louis County Department of Public Health | St. Louis County | North County | county | MO | 990414 | large central metro
Springfield-Greene County Health Department | Greene County | Ozarks | city-county | MO | 302484 | medium metro
Columbia/Boone County Public Health and Human Services | Boone County | Boone | city-county | MO | 187690 | small metro
Douglas County Health Department | Douglas County | Omaha | county | NE | 584526 | medium metro
Lincoln-Lancaster County Health Department | Lancaster County | Lincoln | city-county | NE | 322608 | medium metro
Two Rivers Public Health Department | south central Nebraska | Two Rivers | multi-county district | NE | 100000 | micropolitan
Panhandle Public Health District | the Nebraska Panhandle | Panhandle | multi-county district | NE | 84000 | noncore
Unified Government Public Health Department | Wyandotte County | Wyandotte | city-county | KS | 167046 | large central metro
Lawrence-Douglas County Public Health | Lawrence and Douglas County | Lawrence | city-county | KS | 120553 | small metro
Sedgwick County Health Department | Sedgwick County | Wichita | county | KS | 525525 | medium metro
Polk County Public Health | Polk County | Des Moines | county | IA | 496844 | medium metro
Linn County Public Health | Linn County | Cedar Rapids | county | IA | 230299 | small metro
Winnebago Tribe of Nebraska Public Health Department | the Winnebago Reservation | Winnebago | tribal | NE | 2800 | noncore
Denver Department of Public Health and Environment | Denver | Denver | city-county | CO | 715522 | large central metro
Boulder County Public Health | Boulder County | Boulder | county | CO | 330758 | medium metro
Jefferson County Public Health | Jefferson County | Jeffco | county | CO | 582910 | large fringe metro
Pueblo Department of Public Health and Environment | Pueblo County | Pueblo | city-county | CO | 168162 | small metro
San Juan Basin Public Health | La Plata and Archuleta counties | San Juan Basin | multi-county district | CO | 70000 | micropolitan
Northeast Colorado Health Department | northeast Colorado | Northeast Colorado | multi-county district | CO | 72000 | noncore
Salt Lake County Health Department | Salt Lake County | Salt Lake | county | UT | 1185238 | large central metro
Utah County Health Department | Utah County | Provo | county | UT | 659399 | medium metro
Summit County Health Department | Summit County | Park City | county | UT | 42357 | micropolitan
Missoula City-County Health Department | Missoula County | Missoula | city-county | MT | 117922 | small metro
RiverStone Health | Yellowstone County | Billings | county | MT | 164731 | small metro
Blackfeet Tribal Health Department | the Blackfeet Nation | Blackfeet | tribal | MT | 10000 | noncore
Oglala Sioux Tribe Health Administration | the Pine Ridge Reservation | Pine Ridge | tribal | SD | 32000 | noncore
South Dakota Department of Health | South Dakota | South Dakota | state | SD | 909824 | micropolitan
Fargo Cass Public Health | Fargo and Cass County | Fargo | city-county | ND | 184525 | small metro
Cheyenne-Laramie County Health Department | Laramie County | Cheyenne | city-county | WY | 100512 | small metro
Alameda County Public Health Department | Alameda County | Alameda | county | CA | 1648556 | large central metro
Los Angeles County Department of Public Health | Los Angeles County | Los Angeles | county | CA | 9663345 | large central metro
San Francisco Department of Public Health | San Francisco | San Francisco | city-county | CA | 808437 | large central metro
Contra Costa Health | Contra Costa County | Contra Costa | county | CA | 1155025 | large fringe metro
Fresno County Department of Public Health | Fresno County | Fresno | county | CA | 1017162 | medium metro
Humboldt County Department of Health and Human Services | Humboldt County | Humboldt | county | CA | 135168 | micropolitan
Long Beach Department of Health and Human Services | Long Beach | Long Beach | city | CA | 451307 | large central metro
Berkeley Public Health Division | Berkeley | Berkeley | city | CA | 120223 | large central metro
Maricopa County Department of Public Health | Maricopa County | Maricopa | county | AZ | 4551524 | large central metro
Pima County Health Department | Pima County | Pima | county | AZ | 1063162 | medium metro
Navajo Nation Department of Health | the Navajo Nation | Navajo | tribal | AZ | 173667 | noncore
Tohono O'odham Nation Department of Health and Human Services | the Tohono O'odham Nation | Tohono O'odham | tribal | AZ | 28000 | noncore
Southern Nevada Health District | Clark County | Southern Nevada | county | NV | 2336573 | large central metro
Hawaii State Department of Health | Hawaii | Hawaii | state | HI | 1435138 | medium metro
Guam Department of Public Health and Social Services | Guam | Guam | territorial | GU | 168801 | micropolitan
American Samoa Department of Health | American Samoa | Samoa | territorial | AS | 44620 | noncore
Commonwealth Healthcare Corporation | the Northern Mariana Islands | Saipan | territorial | MP | 47329 | micropolitan
Palau Ministry of Health and Human Services | Palau | Palau | territorial | PW | 18000 | noncore
Public Health - Seattle & King County | King County | King County | county | WA | 2269675 | large central metro
Tacoma-Pierce County Health Department | Pierce County | Tacoma | city-county | WA | 927380 | large fringe metro
Spokane Regional Health District | Spokane County | Spokane | county | WA | 545771 | medium metro
Snohomish County Health Department | Snohomish County | Snohomish | county | WA | 827957 | large fringe metro
Clark County Public Health | Clark County | Vancouver | county | WA | 503311 | large fringe metro
Benton-Franklin Health District | Benton and Franklin counties | Tri-Cities | multi-county district | WA | 311000 | medium metro
Multnomah County Health Department | Multnomah County | Multnomah | county | OR | 795083 | large central metro
Lane County Public Health | Lane County | Lane | county | OR | 382971 | medium metro
Deschutes County Health Services | Deschutes County | Deschutes | county | OR | 198253 | small metro
North Central Public Health District | Wasco and Sherman counties | Columbia Gorge | multi-county district | OR | 29000 | micropolitan
Oregon Health Authority Public Health Division | Oregon | Oregon | state | OR | 4237256 | medium metro
Central District Health | southwest Idaho | Treasure Valley | multi-county district | ID | 530000 | medium metro
Panhandle Health District | north Idaho | North Idaho | multi-county district | ID | 260000 | micropolitan
Anchorage Health Department | Anchorage | Anchorage | city | AK | 291247 | medium metro
Yukon-Kuskokwim Health Corporation | the Yukon-Kuskokwim Delta | Yukon-Kuskokwim | tribal | AK | 27000 | noncore
Confederated Tribes of Warm Springs Health and Wellness | the Warm Springs Reservation | Warm Springs | tribal | OR | 5000 | noncore
"""

# For the national scale: real county and town names, combined with a state code for uniqueness.
COUNTY_NAMES = """Adams Allen Anderson Bedford Benton Boone Bradford Brown Butler Calhoun Campbell Carroll Carter Cass
Cherokee Clark Clay Clinton Crawford Cumberland Custer Dallas Davis Decatur Douglas Fayette Franklin Fulton Garfield
Grant Greene Hamilton Hancock Hardin Harrison Henry Houston Howard Jackson Jasper Jefferson Johnson Knox Lake Lawrence
Lee Lewis Lincoln Livingston Logan Macon Madison Marion Marshall Mason Mercer Monroe Montgomery Morgan Ottawa Perry Pike
Polk Pulaski Putnam Randolph Richland Ross Scott Shelby Stark Sullivan Taylor Union Warren Washington Wayne Webster
Wood Wright Yates Chester Orange Pierce Sumner Saline Sherman Story Tyler Walker Wilson Bell Brooks Columbia Essex
Floyd Gibson Hall Hill Hunt Kent Kerr Lamar Linn Lyon Meade Miller Nelson Newton Owen Page Rice Ross Sevier Smith""".split()
TOWN_NAMES = """Springfield Franklin Greenville Bristol Fairview Salem Georgetown Ashland Burlington Milford Oxford
Riverside Newport Dover Hudson Lebanon Vernon Auburn Dayton Centerville Kingston Plymouth Princeton Troy
Winchester Clayton Florence Jamestown Lancaster Marion Oakland Portland Quincy Rockford Sheridan Waverly Bloomington
Canton Decatur Elgin Frankfort Hamilton Jacksonville Lafayette Monroe Pittsfield Shelbyville""".split()
DISTRICT_NAMES = """North Central|Southeast|Southwest|Northwest|River Valley|Tri-County|Lakes Region|Prairie|Three Rivers|
Big Bend|Northern Tier|Coastal Plain|High Plains|Blue Ridge|Delta|Piedmont|Ozark|Mid-Valley|Great Lakes|Red River|Heartland|
Upper Valley|Sandhills|Cumberland Plateau|Western Slope|Lake Country|Bluegrass|Mountain|Gulf Coast|Northern Plains""".replace("\n", "").split("|")
# tribal nation | state code (one health department each at the national scale)
TRIBES = """Muscogee (Creek) Nation|OK Choctaw Nation of Oklahoma|OK Osage Nation|OK Oneida Nation|WI Ho-Chunk Nation|WI
Leech Lake Band of Ojibwe|MN White Earth Nation|MN Fond du Lac Band of Lake Superior Chippewa|MN Bad River Band|WI
Pascua Yaqui Tribe|AZ Gila River Indian Community|AZ Hopi Tribe|AZ White Mountain Apache Tribe|AZ San Carlos Apache Tribe|AZ
Rosebud Sioux Tribe|SD Cheyenne River Sioux Tribe|SD Standing Rock Sioux Tribe|ND Northern Cheyenne Tribe|MT Crow Nation|MT
Fort Peck Assiniboine and Sioux Tribes|MT Confederated Salish and Kootenai Tribes|MT Nez Perce Tribe|ID
Shoshone-Bannock Tribes|ID Yakama Nation|WA Tulalip Tribes|WA Lummi Nation|WA Puyallup Tribe|WA Seminole Tribe of Florida|FL
Poarch Band of Creek Indians|AL Penobscot Nation|ME Mohegan Tribe|CT Oneida Indian Nation|NY Seneca Nation|NY
Pueblo of Zuni|NM Pueblo of Laguna|NM Mescalero Apache Tribe|NM Jicarilla Apache Nation|NM Ute Mountain Ute Tribe|CO
Southern Ute Indian Tribe|CO Eastern Shoshone Tribe|WY Northern Arapaho Tribe|WY Spirit Lake Tribe|ND
Turtle Mountain Band of Chippewa Indians|ND Menominee Indian Tribe of Wisconsin|WI Sault Ste. Marie Tribe of Chippewa Indians|MI
Little Traverse Bay Bands of Odawa Indians|MI Meskwaki Nation|IA Prairie Band Potawatomi Nation|KS Kickapoo Tribe in Kansas|KS
Omaha Tribe of Nebraska|NE Santee Sioux Nation|NE Alabama-Coushatta Tribe of Texas|TX Coushatta Tribe of Louisiana|LA
Mississippi Band of Choctaw Indians|MS Catawba Indian Nation|SC Tanana Chiefs Conference|AK Quinault Indian Nation|WA"""
TERRITORIES_EXTRA = """Federated States of Micronesia Department of Health and Social Affairs|FM|the Federated States of Micronesia|Pohnpei|105000
Marshall Islands Ministry of Health and Human Services|MH|the Marshall Islands|Majuro|42000"""
# Approximate 2020-census populations (millions) for state health departments at the national scale.
STATE_POPULATIONS = """AL 5.02 AK 0.73 AZ 7.15 AR 3.01 CA 39.5 CO 5.77 CT 3.61 DE 0.99 FL 21.5 GA 10.7 HI 1.46 ID 1.84
IL 12.8 IN 6.79 IA 3.19 KS 2.94 KY 4.51 LA 4.66 ME 1.36 MD 6.18 MA 7.03 MI 10.1 MN 5.71 MS 2.96 MO 6.15 MT 1.08 NE 1.96
NV 3.10 NH 1.38 NJ 9.29 NM 2.12 NY 20.2 NC 10.4 ND 0.78 OH 11.8 OK 3.96 OR 4.24 PA 13.0 RI 1.10 SC 5.12 SD 0.89 TN 6.91
TX 29.1 UT 3.27 VT 0.64 VA 8.63 WA 7.71 WV 1.79 WI 5.89 WY 0.58"""
# Rough number of local health departments per state: where synthetic local departments go.
LOCAL_DEPARTMENT_WEIGHTS = """MA 80 NY 58 OH 110 IL 95 MI 45 WI 85 MN 50 NJ 85 CT 55 CA 61 TX 60 NC 85 FL 67 GA 50 IA 99
KS 100 MO 115 NE 19 IN 92 KY 60 TN 95 VA 35 WA 35 OR 34 CO 53 UT 13 ID 7 MT 50 ND 28 SD 10 WY 23 NM 10 OK 68 AR 75 LA 64
MS 82 AL 67 SC 46 ME 10 NH 15 VT 12 RI 5 DE 3 MD 24 PA 16 WV 49 AZ 15 NV 4 HI 4 AK 5"""

FIRST_NAMES = """Amina Andre Ana Bao Carmen Dana DeShawn Elena Farah Gabriel Grace Hana Imani Isabel Jamal Janelle Jorge
Kai Keisha Lakota Leilani Luis Malia Marcus Maria Mei Miguel Nadia Naomi Nia Omar Priya Rafael Rosa Samir Sarah Sione
Tamika Tariq Thanh Tomas Valeria Wanda Winona Xavier Yesenia Zainab Aaron Beth Caleb Diane Erin Frank Heather Kevin
Laura Megan Nathan Paul Rachel Steve Teresa""".split()
LAST_NAMES = """Abdi Alvarez Begay Bui Castillo Chen Clearwater Diallo Duran Edwards Flores Garcia Gonzalez Greene Hassan
Herrera Holiday Ibrahim Jackson Jefferson Johnson Kealoha Kim Lee Lopez Martinez Mendoza Morales Nguyen Okafor Olson
Patel Peterson Quintero Ramirez Reyes Rivera Robinson Running Bear Sanchez Santos Schmidt Silva Singh Tafuna Thomas Torres
Tran Vang Washington Whitehorse Williams Wilson Xiong Yazzie Young Zamora""".replace("Running Bear", "Runningbear").split()

NEIGHBORHOODS = """the Northside|the East End|Southgate|the river flats|West Park|the old mill district|Riverside|the Eastside|
Fairview|the south end|Lincoln Heights|Cedar Hill|the rail yards area|Northgate|the flats|Oak Park|Maple Valley|the West End|
Hillcrest|the industrial corridor|Eastgate|Pleasant Hill|the downtown core|Brookside|Highland Park|the lower valley""".replace("\n", "").split("|")

# Partner names built from a department's root ({r}); anonymous lessons use the generic form instead.
ORGS = {
    "tenant_org": (["the {r} Tenants Union", "{r} Renters United", "the {r} Tenant Association Network"], "the local tenant union"),
    "cbo": (["the {r} Community Coalition", "{r} Neighborhood Alliance", "Unidos {r}", "the {r} Community Action Agency"], "a community partner"),
    "labor_org": (["the {r} Central Labor Council", "the {r} Workers' Center", "the {r} Building Trades Council"], "the local labor council"),
    "youth_org": (["{r} Youth Power", "the {r} Youth Council", "Youth Rising {r}"], "a youth organizing group"),
    "organizers": (["the {r} Organizing Project", "{r} Power Collective", "the {r} Organizing Collaborative"], "a local organizing group"),
    "hospital": (["{r} Regional Medical Center", "{r} General Hospital", "the {r} Health System", "Mercy {r} Hospital"], "our largest hospital system"),
    "school": (["{r} Public Schools", "the {r} school district", "{r} Unified Schools"], "the school district"),
    "transit": (["{r} Transit", "the {r} Regional Transit Authority", "{r} Area Transit"], "the transit agency"),
    "housing_auth": (["the {r} Housing Authority", "the {r} Public Housing Agency"], "the housing authority"),
    "university": (["the state university's school of public health", "{r} Community College", "a university research team"], "a university research team"),
    "jail": (["the {r} jail", "the {r} detention center"], "the local jail"),
    "funder": (["the {r} Community Foundation", "a regional health foundation", "the {r} Health Fund"], "a regional foundation"),
}

# Slots every template may use (tests render every template with every slot filled).
SLOTS = ("place", "state", "residents", "board", "leader", "pop_phrase", "n_staff", "neighborhood", "n", "n2", "n3", "pct",
         "pct2", "money", "big_money", "weeks", "months", "hourly", "votes_for", "votes_against", "start", "end", "year",
         "end_year", *ORGS)

# Words that depend on the jurisdiction type; anonymous lessons use PLACE_WORDS and BAND_WORDS.
PARTNER_TAGS = ["community organizers", "hospital", "housing authority", "tenant union", "school district",
                "faith leaders", "labor union", "transit agency", "community health workers", "residents"]
PLACE_WORDS = {"county": "our county", "city": "our city", "city-county": "our city and county",
               "multi-county district": "our district", "state": "our state", "tribal": "our nation",
               "territorial": "our territory"}
BOARDS = {"county": ["the county board", "the board of commissioners", "the board of supervisors"],
          "city": ["city council"], "city-county": ["the metro council", "the city-county council"],
          "multi-county district": ["the district board of health"], "state": ["the legislature"],
          "tribal": ["tribal council"], "territorial": ["the legislature"]}
LEADERS = ["our health director", "our health officer", "our director"]
TYPE_LABELS = {"county": "County health department", "city": "City health department",
               "city-county": "Combined city-county health department",
               "multi-county district": "Multi-county health district", "state": "State health department",
               "tribal": "Tribal health department", "territorial": "Territorial health department"}
FOCUS_AREAS = ["housing stability", "maternal and infant health", "immigrant health", "environmental justice",
          "overdose prevention", "food access", "heat and climate resilience", "youth mental health",
          "chronic disease prevention", "violence prevention", "rural access to care", "tobacco control"]
BAND_WORDS = {"large": "more than half a million", "medium": "between 50,000 and 500,000", "small": "fewer than 50,000"}

CONTEXT_OPENERS = [
    "{place} is home to {pop_phrase} {residents}, and our department has about {n_staff} staff.",
    "We serve {pop_phrase} {residents} with about {n_staff} staff, most of them paid by categorical grants.",
    "For context: our department has roughly {n_staff} staff and serves {pop_phrase} {residents}.",
    "When this started, our equity work was two people inside a department of about {n_staff}.",
    "Our department, about {n_staff} staff, serves {pop_phrase} {residents}; most of our budget comes from state and federal grants.",
    "", "", "",
]
DID_CODAS = [
    "", "", "",
    "It took about {n} hours a week of staff time for {months} months.",
    "We had no dedicated budget at first; the early work came out of vacancy savings.",
    "We kept a shared log of every meeting and decision, which later made this write-up possible.",
    "Two of us did most of the work, with help from our epidemiology team when we needed numbers.",
]
HAPPENED_CODAS = {
    "success": [
        "", "", "We presented the results to {board} in {end}.", "{leader} now cites it in budget hearings.",
        "Two neighboring departments have since asked for our materials.",
        "Partners tell us it changed how they see the health department.",
    ],
    "challenge": [
        "", "", "It set the work back at least a year.",
        "Staff were discouraged, and one of the people who led the work left within months.",
        "We are still repairing relationships with some partners.",
        "Looking back, the warning signs were there well before {end}.",
    ],
    "mixed": [
        "", "", "It is a partial win, and we count it as one.", "We are still deciding whether to try again.",
        "Staff are proud of part of it and frustrated by the rest.",
    ],
}
DIFFERENTLY = {
    "success": [
        "We would write the evaluation plan before launch; we spent months reconstructing a baseline.",
        "We would budget for interpretation, childcare and food from the start instead of scrambling for them.",
        "We would bring our public information officer in earlier; the first press release undersold the community's role.",
        "We would document decisions as we went. When our lead left, too much of the story left with her.",
    ],
    "challenge": [
        "We would brief members of {board} one by one before anything went public.",
        "We would ask partners what they needed from us instead of assuming.",
        "We would name one person accountable for follow-through; everyone owned it, so no one did.",
        "We would check the grant terms with counsel before saying yes.",
        "We would slow down at the start, when it was cheap, rather than at the end, when it was not.",
    ],
}
DIFFERENTLY["mixed"] = DIFFERENTLY["success"][:2] + DIFFERENTLY["challenge"][:3]
ADVICE = [
    "", "", "",
    "Write down what went wrong while it still stings; it is the most useful part for the next department.",
    "Find a peer department that has done it and call them; most of what we needed was not in any toolkit.",
    "Pay community partners on time. Late payments undo trust faster than anything you say.",
    "Keep your legal counsel close: much of what we feared turned out to be allowed once we asked.",
    "Credit the community first, in public, every time.",
    "Do not wait for a perfect data set; a clear story with honest caveats moved more people than our best chart.",
    "Expect it to take twice as long as you plan, and tell your leadership that up front.",
]
REJECTION_REASONS = [
    "Names a landlord and a tenant who could be identified; please remove personal details and resubmit.",
    "Reads as a press release. Tell readers what was hard and what you would change, and it will be published.",
    "This repeats a lesson your department already published; please add to that one instead.",
    "The linked document sits behind a staff login; link a public version or remove the link.",
    "Includes a quote from a community member without their consent; please confirm consent or remove it.",
]
NOTES_UP = [
    "Hired our first health equity coordinator.", "Leadership team adopted the plan; budget request submitted.",
    "Board approved the policy.", "Partnership agreements signed with community organizations.",
    "Now part of every program's annual plan.", "Pilot finished; scaling to two more programs.",
    "Staff training completed by all divisions.", "Community advisory board approved our workplan.",
]
NOTES_DOWN = [
    "Grant ended; the position is unfunded after June.", "Lead staff member left and the work paused.",
    "New leadership put this on hold pending review.", "State law change; counsel reviewing what we can continue.",
    "Federal funding terminated mid-year.",
]
NOTES_SAME = ["Baseline self-assessment.", "No change this quarter.", "Waiting on budget decision.", ""]

SCENARIOS_TEXT = r"""
@ tenant-ordinance
practices: Prioritize Upstream Policy Change | Build Community Alliances
actions: Support tenant protections and affordable housing policy | Sign partnership agreements with community-based organizations
risks: Engaging in upstream policy work | Political or elected-official backlash
partners: tenant union | legal aid | housing authority
title+: Eviction data helped pass just-cause tenant protections in {place}
title-: Our testimony for a tenant protection ordinance cost us a budget line
title~: A tenant protection ordinance passed in {place}, without the enforcement we asked for
summary+: We matched eviction filings to emergency-department visits and gave the analysis to {tenant_org}. Their members testified, and {board} passed just-cause eviction protections.
summary-: Our director testified for a tenant protection ordinance. It failed, and at the next budget hearing two members cut our policy analyst position.
summary~: Our eviction-and-health analysis helped pass an ordinance, but the enforcement office was never funded and filings fell for only a few months.
context: Eviction filings in {place} rose by {pct}% in {year}, concentrated in {neighborhood}. {tenant_org} had been organizing tenants in large corporate-owned buildings and asked whether we had data that could help.
context: For years our home-visiting nurses had met families who moved three or four times a year. When {tenant_org} launched a campaign for just-cause eviction protections, they asked us to say out loud what our own data showed.
did: Our epidemiologist linked court eviction filings to emergency-department visits for {n3} households. We wrote a four-page brief in plain language, checked it with tenant leaders before release, and {leader} testified at {board} in {start}. After checking lobbying rules with counsel, we said what the data showed and stopped short of endorsing amendments.
did: We signed a data-sharing memo with {tenant_org}, trained {n} tenant leaders to present the health findings themselves, and held two community meetings in {neighborhood}. Our role was to supply the evidence; they led the campaign.
happened+: The ordinance passed {votes_for} to {votes_against} in {end}. Members quoted our brief by name, and the tenant union credits the health framing with moving two undecided votes. Filings in covered buildings fell by about {pct}% in the first year.
happened-: The ordinance failed. A landlord association accused us of "political advocacy with taxpayer money," and at the next budget hearing our policy analyst position was cut. Tenant leaders told us they felt we had left them alone once the pushback started.
happened~: A weaker ordinance passed in {end}: just-cause protections stayed, but the rental registry and the enforcement office were dropped. Filings dipped for a few months and then returned to their old level.
differently+: We would line up a tenant who could speak about health before the hearing, not the week of; our data was strongest next to a person.
differently-: We would brief every member privately before testifying, and stay visible with tenant leaders after the vote instead of going quiet.
differently~: We would ask for enforcement money in the same budget cycle; by the time we came back, the moment had passed.
advice: Check your lobbying rules early, write them down, and share them with staff: most of what you want to do (education, data, testimony on request) is allowed.
advice: Let the people affected carry the message. Your job is to make the data unimpeachable and to be there when the hearing gets ugly.

@ participatory-budgeting
practices: Allocate Resources | Share Decision-Making with Communities
actions: Use participatory budgeting to let communities direct funds | Hand a share of program decisions to a resident steering committee
risks: Sharing decision-making with communities | Internal resistance
partners: community organizers | residents | youth organization
title+: Residents of {place} decided how to spend {money} of our health equity fund
title-: Our participatory budgeting pilot stalled when finance would not release the money
title~: Participatory budgeting drew {n3} voters, but the winning projects took two years to fund
summary+: We set aside {money} for a health equity fund and let residents propose and vote on projects. {n3} people voted; winners included a youth-run food market and a tenant legal clinic.
summary-: We promised residents they would decide how to spend {money}. Procurement rules and a finance office that treated the vote as advisory stalled every project for over a year.
summary~: Turnout was strong and residents chose well, but our contracting process could not move money to small groups fast enough, and some volunteers gave up.
context: After years of community meetings where residents told us what they wanted and nothing changed, {leader} set aside {money} of one-time funds as a health equity fund. The question was who would decide how to spend it.
context: Our community health improvement plan kept listing the same priorities. Residents of {neighborhood} asked for control over at least some of the money, not another round of input sessions.
did: We recruited a steering committee of {n2} residents, paid them for their time, and ran a participatory budgeting cycle from {start}: idea collection, volunteer budget delegates, a project expo and a vote open to anyone 14 and older. {youth_org} ran outreach in schools.
did: With {organizers} we ran idea assemblies in {n} neighborhoods, trained resident delegates to turn ideas into costed proposals, and held a week-long vote with paper ballots at libraries and clinics as well as online.
happened+: {n3} people voted, {pct}% of them for the first time in any public process. Seven projects were funded, including a youth-run food market and a tenant legal clinic, and {board} added money for a second cycle.
happened-: The vote went well. Then finance treated the result as advisory, procurement required three bids for each project, and two winning groups could not meet the insurance requirements. A year later only one project had started, and the steering committee sent a public letter saying we had wasted their time.
happened~: {n3} people voted and the winning projects were good. But it took us {months} months to sign the first contract, and two small organizations nearly folded waiting for reimbursement.
differently+: We would build a contracting path for very small groups from the start, with advance payments instead of reimbursement.
differently-: We would get a written agreement from finance and the attorney's office that the vote was binding before we asked anyone to vote.
differently~: We would fix procurement before the vote, not after it.
advice: If residents decide, the decision has to stick. Settle the rules for moving the money before you launch, and pay the steering committee.

@ community-benefit
practices: Build a Health Equity Movement | Build Government Alliances
actions: Hold provider networks and other public health system partners accountable for advancing health equity | Collaborate with local, regional, state and national partners from public health and social justice communities
risks: Political or elected-official backlash | Engaging in upstream policy work
partners: hospital | community organizers | faith leaders
title+: {hospital} now spends community benefit dollars on housing, not health fairs
title-: We pushed {hospital} on community benefit spending and lost a key partner
title~: A community benefit deal with {hospital} moved money, but not decision power
summary+: Using the hospital's own tax filings, we and {cbo} showed community benefit spending went mostly to write-offs. The hospital now commits {money} a year to housing stability.
summary-: We published an analysis of {hospital}'s community benefit spending. Its CEO called our director, withdrew from our health improvement plan, and froze a data-sharing agreement for a year.
summary~: {hospital} agreed to fund a housing navigation program, but refused to put residents on the committee that decides future community benefit spending.
context: {hospital} is the largest employer in {place} and reports millions in community benefit each year, most of it charity care and health fairs. Residents of {neighborhood} kept telling us that housing was their biggest health problem.
did: With {cbo} we read five years of the hospital's Schedule H filings and produced a short public comparison of spending categories. We shared it with hospital leadership {weeks} weeks before publishing and invited them to co-host a community forum on their needs assessment.
happened+: After two tense meetings, the hospital agreed to shift {money} a year into a housing stability fund co-governed by residents. It is now written into their implementation strategy.
happened-: Hospital leadership felt ambushed, advance copy or not. They withdrew from our improvement plan steering committee, and a data-sharing agreement we had spent a year on was put on hold.
happened~: The hospital funded a housing navigation program with {money} a year. But it kept the decisions inside its own foundation, and the residents we organized with felt the win was taken from them.
differently+: We would bring the hospital's community health staff in before their executives; they wanted the same change.
differently-: We would separate the accountability work from the partnership work: let {cbo} lead the public pressure while we kept the technical relationship.
advice: Public filings are public. Use them, but decide in advance which relationships you can afford to strain, and have a plan for repairing them.

@ organizer-training
practices: Build a Health Equity Movement | Build Organizational Capacity
actions: Work with community organizers to train health department staff on community organizing | Train all staff on health equity, racism and the social determinants of health
risks: Internal resistance | Talking about power and oppression
partners: community organizers | labor union
title+: Community organizers trained {n2} of our staff in one-to-ones and power mapping
title-: Managers walked out of our organizer-led training on power
title~: Organizer-led training changed our outreach team, and split our managers
summary+: We paid {organizers} to run a six-session organizing training for staff. Program teams now hold one-to-ones before launching anything, and our outreach contacts doubled.
summary-: Our organizer-led training on power and organizing was mandatory for managers. Several walked out, the union filed a grievance, and the series was suspended after two sessions.
summary~: Frontline staff loved the organizing training; several managers called it political. The outreach team uses it daily, but leadership has not made it part of onboarding.
context: Our staff knew how to run programs and surveys, but not how to build relationships that outlast a grant. {organizers} had been organizing in {neighborhood} for a decade and offered to teach us.
did: We contracted with {organizers} for six sessions on one-to-one conversations, power mapping and meetings that lead somewhere. {n2} staff took part in three cohorts from {start}; each cohort ended with a real conversation with residents about something they wanted changed.
happened+: Program teams now hold one-to-ones with residents before designing anything. Our outreach team's active contacts in {neighborhood} went from about {n3} to twice that, and two staff now co-facilitate the training.
happened-: Making it mandatory for managers backfired. In the session on power mapping several managers walked out, the union filed a grievance about required attendance, and {leader} suspended the series.
happened~: Frontline staff called it the most useful training they had had. Managers were split, and {leader} kept it voluntary. Two years later, the methods live in the outreach team and nowhere else.
differently+: We would have the trainers meet managers first, so managers know what their staff are learning.
differently-: We would make it voluntary at first, start with staff who asked for it, and talk to the union before scheduling anything.
advice: Pay organizers as the experts they are, and let them adapt the curriculum to your department; do not water it down to make it comfortable.

@ racism-declaration
practices: Confront the Root Causes | Change the Conversation
actions: Declare racism a public health crisis and follow through with action | Speak out publicly on racism and power
risks: Talking about power and oppression | Political or elected-official backlash
partners: community organizers | faith leaders | elected officials
kinds: 2 5 3
years: 2019-2023
title+: {place} declared racism a public health crisis, and funded the follow-through
title-: Backlash after {place} declared racism a public health crisis
title~: The racism declaration passed; most of its commitments are still unfunded
summary+: {board} declared racism a public health crisis in {start}. Unlike many declarations, ours came with {money}, a staffed equity office and an annual public report.
summary-: After {board} declared racism a public health crisis we faced recall petitions against members, months of hostile public comment, and a state bill aimed at our equity office. Staff got threats.
summary~: The declaration passed with a list of {n} commitments. Three years later two are done, and the annual report has been quietly dropped.
context: In {year}, residents and {cbo} asked {board} to declare racism a public health crisis. We were asked to draft the resolution and the data behind it, including a gap of {n} years in life expectancy between {neighborhood} and the wealthiest part of {place}.
did: We drafted the resolution with community partners, tied each clause to local data, and insisted on specific commitments: an equity office, an equity review of the budget, and an annual public report. {leader} met each member beforehand.
happened+: It passed {votes_for} to {votes_against}. The equity office opened with {n} staff, the first budget equity review moved {money} toward {neighborhood}, and the annual report is now required by ordinance.
happened-: Public comment was hostile for months. Two members faced recall petitions, a state legislator introduced a bill to ban "divisive concepts" in local health departments, and several staff got threatening emails. We had no security plan and no communications plan for staff.
happened~: It passed, and the first report was well received. After the next election the report was dropped and the equity office was folded into human resources.
differently+: We would put the commitments into the budget and ordinance at the same time as the declaration; symbolic language is easy to reverse.
differently-: We would prepare staff for backlash: a plan for threats, one spokesperson, and a place to report harassment. We would also line up community voices for every meeting, not just the first.
advice: A declaration is a beginning, not an achievement. Decide before the vote what will be measured, who will report it, and when.
advice: Plan for backlash the way you plan for an outbreak: roles, messages, and care for the people taking the heat.

@ advocacy-restricted-grant
practices: Allocate Resources | Prioritize Upstream Policy Change
actions: Braid or blend funding streams to support upstream work | Advocate for living wages and paid sick leave
risks: Funding and grant restrictions | Engaging in upstream policy work
partners: foundation | community organizers | legal counsel
kinds: 2 5 3
title+: Foundation money let us keep the policy work a federal grant could not pay for
title-: A federal grant that forbade advocacy left our policy work stranded
title~: We split our equity work between two funders; it worked, and doubled the paperwork
summary+: A federal grant paid for our chronic disease staff but barred lobbying. {funder} gave {money} for policy analysis and community education, with a time-tracking split that passed audit.
summary-: Our largest equity grant restricted advocacy. Staff were told not to attend a coalition meeting about a housing ballot measure, and partners read our silence as abandonment.
summary~: We kept our policy work alive by moving it onto foundation money. It passed audit, but the time tracking fell on staff who already had too much to do.
context: In {year} we received a multi-year federal grant that funded much of our chronic disease and equity staff. Its terms prohibited using grant funds for lobbying and, as our grants office read them, for advocacy of any kind.
did: We asked counsel to explain the difference between education, advocacy and lobbying under the grant, sorted our tasks into what the federal money could pay for and what it could not, and went looking for other money for the rest.
happened+: {funder} gave us {money} with no advocacy restrictions. Staff now track time across both sources, and a federal site visit in {end} found no problems. We testified on paid leave with foundation-funded time.
happened-: Without other money, the policy work stopped. Staff were told not to attend a coalition meeting about a housing ballot measure, even on their own time, because our grants office could not say what was allowed. {cbo} told us they assumed we had backed out.
happened~: Foundation money covered the policy time, and the audit was clean. But staff spent hours each week on split timesheets, and two left partly because of it.
differently+: We would set up the time-tracking split before the work started and train staff on it, instead of reconstructing it afterward.
differently-: We would get a written legal opinion early and share it with partners, so that silence is not mistaken for retreat.
advice: Lobbying restrictions are narrower than most grants offices think. Get a written opinion, train staff on it, and pay for the rest with flexible money.

@ paid-sick-leave
practices: Prioritize Upstream Policy Change | Support Community Organizing
actions: Advocate for living wages and paid sick leave | Provide data and technical support to organizing campaigns
risks: Engaging in upstream policy work | Political or elected-official backlash
partners: labor union | worker center | small businesses
title+: Outbreak data helped workers win paid sick leave in {place}
title-: We testified for paid sick leave, and the state preempted it
title~: Paid sick leave passed in {place}, but enforcement landed on us with no staff
summary+: We counted how many foodborne outbreaks involved workers who came in sick. {labor_org} used it in their campaign, and {board} passed earned sick time covering about {n3} workers.
summary-: We supported a local paid sick leave ordinance with outbreak data. The legislature preempted local sick leave laws the next session, and a legislator cited our testimony as overreach.
summary~: The sick leave ordinance passed with our support. Complaints now come to us, but we were never given staff to investigate them.
context: Our foodborne outbreak investigations kept finding the same thing: food workers who came in sick because they could not afford to miss a shift. {labor_org} and a local worker center were campaigning for earned sick time.
did: We pulled {n} years of outbreak investigations and counted how often an ill food worker was involved. We presented the numbers at a study session of {board} and at a worker center meeting, in English and Spanish, and answered questions from restaurant owners.
happened+: The ordinance passed in {end}. Business groups objected, but several restaurant owners spoke in favor after we met with them. The worker center now refers workers to us when an employer retaliates.
happened-: The local ordinance passed, and the legislature preempted it the next session. One legislator quoted our testimony as an example of health departments "playing politics," and our state association asked us to keep a lower profile.
happened~: It passed, and {pct2}% of covered workers now have some paid sick time. But complaints come to our environmental health staff, who have neither the authority nor the time to investigate wage claims.
differently+: We would meet restaurant owners before the hearing, not after; several were on our side once they saw the outbreak data.
differently-: We would work with our state association on preemption much earlier; the fight moved to the capitol and we were not ready.
differently~: We would ask for enforcement funding and a clear complaint process as part of the ordinance itself.
advice: Routine surveillance data can be strong policy evidence. Present it straight, and let workers and business owners say what it means for them.

@ community-indicators
practices: Mobilize Data, Research & Evaluation | Build Community Alliances
actions: Let communities choose and interpret the indicators | Let communities choose the indicators used to measure progress
risks: Sharing decision-making with communities | Community trust
partners: residents | community-based organizations | university
title+: Residents of {place} chose the indicators for our health equity report
title-: We asked residents to pick indicators, then overruled them
title~: Community-chosen indicators changed our report, and broke our trend lines
summary+: Instead of our usual {n2} indicators, a resident panel chose eleven, including "can you reach a grocery store without a car" and "were you stopped by police this year." The report is read far more now.
summary-: A resident panel chose indicators for our equity report, including police stops and wage theft. Leadership dropped both before publication, and the panel resigned.
summary~: The new indicators spoke to residents, but several had no reliable data source, and we lost comparability with past reports.
context: Our community health assessment had used the same indicators for years, mostly hospital and vital records data. Residents told us it described them as problems and never measured what they cared about.
did: With {cbo} we recruited a paid panel of {n2} residents, gave them the list of available data, and asked them to choose and define the indicators. {university} helped design survey questions for indicators that had no existing source.
happened+: The panel chose eleven indicators, including transportation access, police stops and wage theft. The report launched at a community event in {neighborhood} with {n3} people present, and two city departments now ask us for the data.
happened-: Leadership removed the police-stop and wage-theft indicators from the draft "to keep the report focused on health." The panel resigned in a public letter, and {cbo} stopped working with us for over a year.
happened~: The report resonated, but four of the eleven indicators depended on a survey we could afford only once. We could not show trends, and {board} asked why the old measures had disappeared.
differently+: We would budget for repeat data collection from the start, so the new indicators can show change.
differently-: We would agree with leadership, in writing and before recruiting anyone, on what the panel could decide.
advice: Decide up front what residents are deciding and what they are advising on, and be honest about it; the fastest way to lose trust is to ask and then overrule.

@ equity-positions-cut
practices: Allocate Resources | Build Organizational Capacity
actions: Fund dedicated health equity staff positions | Create a standing health equity team with time and authority
risks: Funding and grant restrictions | Internal resistance
partners: community-based organizations
kinds: 2 6 3
years: 2019-2025
title+: We moved our equity positions from grants to the general fund
title-: Our health equity team was funded for three years, then cut
title~: Two of our four equity positions survived the end of pandemic funding
summary+: Our equity coordinator and community health worker positions started on pandemic grants. We documented their results and persuaded {board} to move {n} positions to the general fund.
summary-: We built a health equity team of {n} people on time-limited funds. When the funds ended, {board} declined to continue it, and the work went back to being "everyone's job."
summary~: When pandemic-era funding ended we kept two of four equity positions by cutting elsewhere. The community health worker roles, the most trusted, were the ones we lost.
context: In {year} we used time-limited funding to hire our first health equity coordinator and {n} community health workers from the neighborhoods we serve. They changed how the department worked with {neighborhood}.
did: From the first year we tracked what the team did: partners engaged, residents reached, policies reviewed. A year before the money ended we brought {board} a sustainability plan with costs and options.
happened+: {board} moved {n} positions to the general fund, partly because residents came to the budget hearing and spoke for specific staff by name.
happened-: The plan was received politely and not funded. The coordinator left for a hospital job, and the community health workers were laid off in {end}. Partners asked who to call now, and we did not have a good answer.
happened~: We kept the coordinator and one analyst by leaving other vacancies open. The community health workers, who had the most trust with residents, were the ones we could not keep.
differently+: We would start the sustainability conversation in year one, not year three.
differently-: We would put at least part of each position on stable funds from the start, even if that meant fewer positions.
advice: Time-limited money is good for starting equity work and bad for keeping it. Plan the transition from the first day, and let the community make the case with you.

@ housing-collaborative
practices: Build Government Alliances | Prioritize Upstream Policy Change
actions: Form multi-sector collaborations with housing, transportation, labor, education and corrections agencies | Support tenant protections and affordable housing policy
risks: Engaging in upstream policy work | Internal resistance
partners: housing authority | planning department | community development corporation
title+: A multi-agency housing collaborative in {place} put health into the housing plan
title-: Our multi-sector housing collaborative met for two years and changed nothing
title~: Housing and health agencies now share data; the policy changes are slower
summary+: We convened {housing_auth}, planning and {n} community groups around housing and health. The housing plan now sets targets for mold, lead and overcrowding, and we inspect jointly.
summary-: We hosted a housing-and-health collaborative for two years. Agencies attended and the presentations were good, but no one at the table could commit money or policy.
summary~: The collaborative produced a data-sharing agreement and joint inspections, but not the inclusionary zoning change our partners wanted.
context: Asthma and lead poisoning in {place} were concentrated in older rental housing. Housing, planning and code enforcement each held part of the picture, and none of them talked to us.
did: We proposed a collaborative with {housing_auth}, planning, code enforcement and {n} community groups, wrote a charter that put decision-makers at the table, met monthly from {start}, and staffed it with one of our planners.
happened+: The next housing plan included health targets for mold, lead and overcrowding. Code enforcement and our environmental health staff now inspect together in {neighborhood}, and we share a list of problem properties.
happened-: The agencies sent staff who could not commit to anything. After two years the collaborative had produced a report and a map, and partners stopped coming.
happened~: We signed a data-sharing agreement and started joint inspections. The inclusionary zoning change our community partners wanted stalled at the planning commission.
differently+: We would formalize the group earlier with a memorandum signed by agency heads.
differently-: We would insist on decision-makers at the table, and pick one concrete shared goal for the first six months.
advice: Start with a problem each agency already owns and cannot solve alone. Collaboratives built around someone else's priority fade.

@ dashboard-pushback
practices: Mobilize Data, Research & Evaluation | Change the Conversation
actions: Publish neighborhood-level data on inequities and their causes | Frame health as shaped by housing, jobs, education and power
risks: Political or elected-official backlash | Community trust
partners: residents | elected officials | university
kinds: 3 5 2
title+: Our neighborhood equity dashboard became {place}'s shared reference
title-: Our neighborhood data dashboard was pulled after complaints it stigmatized {neighborhood}
title~: We rebuilt our equity dashboard with residents after the first version backfired
summary+: We published neighborhood-level life expectancy, housing and income data with residents' own explanations beside the numbers. Three agencies now use it to target spending.
summary-: We launched an equity dashboard ranking neighborhoods. Residents said it made them look like a problem, a member called it a "map of shame," and it came down within {weeks} weeks.
summary~: Our first dashboard was criticized for showing only deficits. We rebuilt it with a resident panel to include causes and assets; the second version is used, but it took a year.
context: We had neighborhood-level data for years but published it only in long reports. Partners kept asking for something they could explore themselves.
did: We built a public dashboard of {n2} indicators by neighborhood, including life expectancy, evictions, income and tree cover. We showed it to a few partners before launch and released it with a press event in {start}.
happened+: Because the dashboard put causes (housing, income, tree cover) beside outcomes, people used it to argue for investment rather than blame. Planning, parks and {housing_auth} use it to set priorities.
happened-: Residents of {neighborhood} said the rankings made their neighborhood look like a problem and ignored decades of disinvestment. A member of {board} called it a "map of shame," local news ran it as a crime story, and the dashboard was pulled within {weeks} weeks.
happened~: After the criticism we paused, recruited {n} residents to redesign it, added historical redlining maps and community assets, and relaunched a year later. The second version is used; the first damaged trust we are still rebuilding.
differently+: We would put residents' explanations next to the numbers from day one.
differently-: We would show neighborhoods their own data before anyone else sees it, and never rank them.
advice: Data about a community should be shown to that community first. Put causes beside outcomes, or people will read the outcomes as character.

@ heat-resilience
practices: Build Community Alliances | Support Community Organizing | Prioritize Upstream Policy Change
actions: Sign partnership agreements with community-based organizations | Fund community organizing groups through grants or contracts | Support tenant protections and affordable housing policy
risks: Engaging in upstream policy work | Community trust
partners: tenant union | climate justice organization | utility
title+: Tenant unions in {place} won a cooling requirement for rental housing
title-: Our heat plan relied on cooling centers almost nobody used
title~: A heat-resilience partnership with tenant unions saved lives, but not the policy
summary+: After a deadly heat wave we paid {tenant_org} to check on tenants in buildings without cooling. Their door-knocking data helped win a maximum indoor temperature rule for rentals.
summary-: We opened cooling centers in libraries during a heat wave. Few people came; older residents in top-floor apartments told us they could not get there and did not trust us to help.
summary~: Tenant unions reached {n3} households during heat waves with our funding. The maximum indoor temperature rule they campaigned for was blocked by a landlord lawsuit.
context: A heat wave in {year} killed several residents of {place}, most of them older adults in top-floor rental apartments without cooling. Our heat plan consisted of press releases and cooling centers.
did: We contracted with {tenant_org} to do wellness checks in the buildings they organize, gave members thermometers and a simple logging form, and paid them for their time. We shared their readings with {board} alongside our heat-illness emergency visits.
happened+: Members logged indoor temperatures above 90°F in {pct}% of the units they visited. That evidence helped win a maximum indoor temperature rule for rental housing in {end}, and the wellness checks are now a line in our budget.
happened-: Turnout at cooling centers was tiny. We had not asked anyone what they needed; the people most at risk could not get to a library in the heat and did not know us.
happened~: The wellness checks reached {n3} households and connected dozens to help. The cooling rule passed and was then tied up in a lawsuit from a landlord association; it is still not in force.
differently+: We would start the partnership before summer, so members are trained before the first heat wave.
differently-: We would ask tenants and organizers what they need before the season, not after people died.
advice: Pay the groups that already knock on doors. They reach people your outreach never will, and their data carries weight with decision-makers.

@ corrections-health
practices: Build Government Alliances
actions: Form multi-sector collaborations with housing, transportation, labor, education and corrections agencies | Co-locate staff or share data agreements with partner agencies
risks: Internal resistance | Community trust
partners: jail | sheriff's office | reentry organization
title+: A jail-to-clinic handoff in {place} cut overdose deaths after release
title-: Our corrections health partnership ended when the sheriff changed
title~: We embedded a nurse in the jail; reentry advocates say we became part of the system
summary+: With {jail} we started medication for opioid use disorder inside and handed people to a community clinic on release. Overdose deaths in the first month after release fell sharply.
summary-: We spent a year building a reentry health partnership with {jail}. A new sheriff ended it in his first month, and the data-sharing agreement lapsed.
summary~: Embedding our nurse at {jail} improved continuity of care, but reentry advocates said we had lost our independence and stopped referring people to us.
context: People leaving {jail} were dying of overdoses in their first weeks home at many times the rate of everyone else. The jail's health contractor and our clinics did not share records.
did: We signed a data-sharing agreement with {jail}, placed a public health nurse there two days a week, and worked with a reentry organization to book clinic appointments before release. We started in {start}.
happened+: About {pct2}% of people started on treatment in the jail kept their first clinic appointment. Overdose deaths in the month after release fell, and the sheriff now presents the program at state meetings.
happened-: A new sheriff took office in {end} and ended the agreement, saying medical care was the contractor's job. Our nurse was reassigned and we lost the data feed.
happened~: Continuity of care improved, but reentry advocates felt we had become part of the jail. Some people refused our nurse because they assumed she reported to the sheriff.
differently+: We would write the program into the jail's health services contract so it survives changes in leadership.
differently-: We would build support with {board} and community advocates, not only with one sheriff.
advice: Partnering with corrections is worth it and has costs. Be clear with community partners about what you share with the jail and what you never will.

@ contracting-equity
practices: Change Internal Practices and Processes
actions: Apply an equity lens to hiring, contracting and purchasing | Pay community partners fairly for their time and expertise
risks: Internal resistance | Funding and grant restrictions
partners: community-based organizations | finance office
title+: We cut payment time for small community partners from {n2} days to about two weeks
title-: Our contracting reform ran into a procurement office that said no to everything
title~: Advance payments helped small partners; the paperwork did not shrink
summary+: Small community organizations waited months to be paid. With finance we allowed advance payments, cut the application to two pages, and now pay most invoices within two weeks.
summary-: We proposed advance payments and simpler contracts for small community partners. Procurement and the attorney's office rejected every change, and two partners stopped applying.
summary~: Finance allowed advance payments for awards under {money}, which helped. Reporting requirements stayed the same, and small partners still spend days on invoices.
context: Community organizations in {place} were doing our outreach and getting paid {n2} to 120 days late. Two small groups took out loans to make payroll while they waited for us.
did: With finance and two partners we mapped every step of our contracting process, counted the days at each step, and proposed changes: advance payments, a two-page application for small awards, and a single point of contact.
happened+: Finance agreed to advance up to a quarter of each award and to fast-track awards under {money}. Average payment time dropped to about two weeks, and three new organizations applied in the next round.
happened-: Procurement said each change would violate policy, but could not tell us which policy. After six months we gave up; two partners told us they would not apply again.
happened~: Advance payments helped a lot. But the reporting templates did not change, and small partners still spend days each quarter on invoices and receipts.
differently+: We would bring a partner's bookkeeper to the first meeting; hearing from her moved finance more than our memo did.
differently-: We would get the procurement rules in writing and find out which ones are law and which are habit.
advice: How you pay partners is equity policy. Measure how long it takes, and fix it before you ask them for anything else.

@ partner-stipends
practices: Change Internal Practices and Processes | Share Decision-Making with Communities
actions: Pay community partners fairly for their time and expertise | Co-design programs with the people they serve
risks: Funding and grant restrictions | Internal resistance
partners: residents | community advisory board | finance office
title+: We now pay residents ${hourly} an hour for their expertise, by check or gift card
title-: We could not pay residents on our advisory board, and the working parents left
title~: Paying residents works, except for people whom income puts at risk
summary+: We set a standard rate of ${hourly} an hour for residents who advise our programs, payable by check or gift card, and moved the money into our base budget.
summary-: We wanted to pay residents who served on our advisory board. Finance said stipends were not allowed under our grants, and several members could not afford to keep coming.
summary~: We pay residents ${hourly} an hour now, but some on disability benefits or without papers could not safely accept payment, and we had no alternative for them.
context: We were asking residents of {neighborhood} to spend evenings advising us while every professional at the table was being paid. Several told us, politely, that this was backwards.
did: We found out what our grants and local rules allowed, wrote a stipend policy with a standard hourly rate, and set up both check and gift card options. We budgeted {money} a year for it.
happened+: Attendance at advisory meetings went up and became steadier. Residents told us it was the first time a government agency had treated their time as worth something.
happened-: Finance and grants management decided stipends were not allowable under our main grants, and that the general fund could not be used either. Three of {n2} members left, all of them working parents.
happened~: Most residents welcomed the payments. But some on disability benefits or with immigration concerns could not safely accept them, and we had not thought about alternatives such as childcare, meals or transit passes.
differently+: We would ask residents how they want to be paid and what would make payment unsafe for them.
differently-: We would find a flexible funding source first, such as a community foundation, before promising anyone payment.
advice: Pay people for their expertise, and offer non-cash options to those for whom income creates risk.

@ resident-steering-committee
practices: Share Decision-Making with Communities
actions: Hand a share of program decisions to a resident steering committee | Co-design programs with the people they serve
risks: Sharing decision-making with communities | Internal resistance
partners: residents | community organizers | doulas
title+: A parent steering committee now decides half of our maternal health budget
title-: Program staff quietly overrode our resident steering committee
title~: Sharing decisions with parents slowed our program down, and made it better
summary+: A steering committee of {n} parents from {neighborhood} decides how half of our maternal health program budget is spent, including hiring community doulas they trust.
summary-: We gave a resident steering committee authority over part of a program. Staff kept deciding things between meetings, the committee found out, and most members resigned.
summary~: Handing decisions to parents added {months} months to the launch and frustrated some staff. The program that came out of it reached twice as many families.
context: Our maternal and child health programs were designed by staff and evaluated by funders. Black and Indigenous families in {place} told us the programs did not fit their lives.
did: We formed a steering committee of {n} parents, paid them, and gave them authority over half the program budget and the design of outreach. Staff supported the committee, and a facilitator from {cbo} ran the meetings.
happened+: The committee chose to hire community doulas and move visits to evenings. Enrollment doubled, and {leader} now points to it as the model for other programs.
happened-: Staff kept making decisions between meetings "to keep things moving." When the committee found out, most members resigned and wrote to {board}. We lost a year and a lot of trust.
happened~: Launch took {months} months longer than planned and some staff were frustrated. But the program reached twice as many families, and far more of them stayed.
differently-: We would write down which decisions belong to the committee and tell every staff member, including new hires.
advice: Shared decision-making means some decisions are not yours. Say which ones in writing, and then live with them.

@ highway-hia
practices: Implement Health in All Policies | Build Government Alliances
actions: Run health impact assessments on major plans | Brief elected officials on the health effects of their decisions
risks: Engaging in upstream policy work | Political or elected-official backlash
partners: transit agency | state department of transportation | neighborhood association
title+: Our health impact assessment changed a highway expansion through {neighborhood}
title-: Our health impact assessment of a highway widening was ignored
title~: A health impact assessment won mitigation money, not a different route
summary+: We ran a health impact assessment on a highway widening through {neighborhood}. The state added a lid park, sound walls and air filtration for {n} schools to the final design.
summary-: Our health impact assessment found a highway expansion would raise asthma and displacement risk in {neighborhood}. The state did not respond, and the expansion went ahead.
summary~: Our health impact assessment of a highway widening did not change the route, but it won {big_money} in mitigation, including air filters in schools.
context: The state transportation department planned to widen the highway through {neighborhood}, a neighborhood already split by the original highway in the 1960s. Residents asked us whether anyone had looked at health.
did: Over {months} months we ran a rapid health impact assessment with residents and {university}, covering air quality, noise, displacement and access to parks, and filed formal comments in the environmental review in {start}.
happened+: The final design added a lid park, sound walls and air filtration for {n} schools. The transportation department now asks us for comments early in major projects.
happened-: The transportation department acknowledged our comments in an appendix and changed nothing. A state legislator asked why a local health department was "interfering" in state projects.
happened~: The route stayed, but the state committed {big_money} to mitigation, including air filtration in schools and a land trust to limit displacement.
differently-: We would start years earlier; by the formal comment period the design was effectively settled.
advice: Get into transportation decisions at the planning stage, years before construction; comment periods are too late to change much.

@ hiap-ordinance
practices: Implement Health in All Policies
actions: Create an interagency Health in All Policies task force | Run health impact assessments on major plans
risks: Internal resistance | Political or elected-official backlash
partners: planning department | parks department | transit agency
title+: A Health in All Policies ordinance in {place} made health review routine
title-: Our Health in All Policies task force lost its mandate after the election
title~: Health in All Policies took hold in parks and transit, not in policing or the budget
summary+: {board} adopted a Health in All Policies ordinance. Every department now completes a short health and equity review for major decisions, and our staff help them do it.
summary-: We launched a Health in All Policies task force with the executive's support. After the election the new executive disbanded it, and the agency liaisons stopped coming.
summary~: Parks and transit embraced health reviews. The police department and the budget office never engaged, and they shape the most.
context: Most of what shapes health in {place} is decided outside our department. {leader} wanted health in those decisions without us being seen as telling other agencies how to do their jobs.
did: We drafted a Health in All Policies ordinance, formed a task force with liaisons from {n} departments, built a one-page review tool, trained the liaisons, and offered to do the first reviews alongside them.
happened+: The ordinance passed and {n2} reviews were done in the first year. Parks changed where it sited new facilities, and transit changed a fare policy after its review.
happened-: After the election the new executive disbanded the task force. With no mandate, liaisons stopped attending, and our review tool sits on a shelf.
happened~: Parks and transit use the reviews. The budget office and the police department declined to take part, so the biggest decisions are still made without a health lens.
differently-: We would put the task force into ordinance, not an executive order that one election can undo.
advice: Offer to do the work with other departments, not to them, and make sure they get the credit when it works.

@ all-staff-training
practices: Build Organizational Capacity | Foster a Shared Understanding of Health Equity
actions: Train all staff on health equity, racism and the social determinants of health | Hold regular learning sessions on the history of local inequities
risks: Internal resistance | Talking about power and oppression
partners: community historians | training consultant
title+: All {n_staff} of our staff completed equity training built on our own local history
title-: Mandatory racial equity training brought complaints and a lawsuit threat
title~: Our equity training reached everyone; changed practice reached some teams
summary+: We built a training on the history of inequity in {place}, taught partly by community historians. Every staff member completed it, and managers use it to start equity reviews.
summary-: We required racial equity training for all staff. Complaints reached {board}, a staff member threatened to sue, and the training was made optional.
summary~: Every staff member completed our equity training and the evaluations were good. A year later few teams had changed anything about how they work.
context: Our staff had a wide range of understanding about racism and health. Some had done equity work for years; some had never heard the phrase "social determinants."
did: With a consultant and community historians we built a four-part training that starts with the local history of redlining, highway construction and public health's own role. Sessions were small groups with a trained facilitator.
happened+: All staff finished within a year. Most could name a local cause of inequity afterward, and several teams used the final session to plan a change in their own work.
happened-: Some staff called the training "political." A complaint reached {board}, one staff member threatened legal action, and {leader} made the training optional. Attendance fell by half.
happened~: Completion was high and evaluations were good. Without follow-up in teams little changed; the teams that changed were the ones whose manager made time for it.
differently+: We would follow the training with team projects from the start.
differently-: We would start with leaders and managers, and explain why this is part of the job before requiring it of anyone.
advice: Training is necessary and not sufficient. Pair it with changes in how decisions get made, or it becomes a checkbox.

@ equity-definition
practices: Foster a Shared Understanding of Health Equity
actions: Adopt a written definition of health equity with staff input | Hold regular learning sessions on the history of local inequities
risks: Internal resistance | Talking about power and oppression
partners: staff union | community advisory board
title+: Writing our own definition of health equity brought staff together
title-: Our health equity definition stalled over one word: racism
title~: We adopted a definition of health equity; not every team signed on
summary+: Over {months} months, {n2} staff and community members wrote our department's definition of health equity. It now opens every strategic plan and job posting.
summary-: Our effort to adopt a written definition of health equity stalled when leadership wanted the word "racism" removed. The staff who drafted it felt betrayed.
summary~: We adopted a definition of health equity with broad input. A vocal group of staff still see it as political, and some teams ignore it.
context: Staff used "health equity" to mean very different things. Some meant access to care, others meant changing who holds power. We needed a shared starting point.
did: We ran listening sessions in every division, collected examples from staff's own work, and asked a drafting group of staff and community members to write a one-paragraph definition. It went through three drafts and a staff vote.
happened+: The leadership team adopted it, and it now appears in every strategic plan and job posting. Staff say it helps them explain their work to partners.
happened-: Leadership asked to remove "racism" because of the political climate. The drafting group refused, and the process stalled. The definition has never been finalized.
happened~: The definition was adopted and most staff use it. A vocal group feels it is political, and some teams quietly ignore it.
differently-: We would agree with leadership on what was non-negotiable before starting.
advice: The process matters more than the wording. Involve the people who will use it, and keep the definition short.

@ history-of-harm
practices: Confront the Root Causes
actions: Examine the department's own history of harm | Speak out publicly on racism and power
risks: Community trust | Talking about power and oppression
partners: community historians | faith leaders | elders
title+: We examined our department's own history of harm, and apologized with commitments
title-: Our public apology for past harm was seen as empty
title~: Reckoning with our history opened doors, and old wounds
summary+: With community historians we documented our department's role in past harms, from coerced sterilizations to clinics closed without notice. Our apology came with specific commitments.
summary-: We issued a public apology for our department's historical role in harm. Community leaders said it came without consultation or commitments, and it was widely criticized.
summary~: Our history project opened new relationships with community leaders. It also reopened old pain, and we were not ready to support staff and residents through it.
context: Residents of {neighborhood} often told us why they did not trust the health department: coerced sterilizations, tuberculosis quarantines, clinics closed without warning. Many of our staff did not know this history.
did: For {months} months we worked with community historians and elders to document our department's past actions, held listening sessions, and drafted an apology with specific commitments.
happened+: The apology was delivered at a community event with commitments attached: a community oversight board and {money} for community-led health projects. Community leaders called it a first step.
happened-: We issued the apology at a press conference without consulting community leaders. They called it performative, and the event turned into a protest.
happened~: The project opened new relationships but also brought up old grief. We had not planned support for residents and staff, and some sessions were very painful.
differently-: We would let community leaders decide the format and timing, and attach commitments before saying a word in public.
advice: An apology needs commitments, and the people who were harmed should shape both.

@ spokesperson-training
practices: Change the Conversation
actions: Train spokespeople to talk about equity with the media | Frame health as shaped by housing, jobs, education and power
risks: Talking about power and oppression | Political or elected-official backlash
partners: media | community spokespeople
title+: Training residents as spokespeople changed how local news covers health in {place}
title-: One interview undid our media training on equity framing
title~: Framing health as housing and jobs worked with reporters, less with {board}
summary+: We trained {n} residents and staff as spokespeople on equity framing. Local stories now quote residents explaining how housing and wages shape their health.
summary-: After media training on equity framing, one interview was edited to sound as if we blamed a whole group. It spread widely and we spent weeks on damage control.
summary~: Reporters began framing health stories around housing and jobs. Some elected officials accused us of talking about things outside our lane.
context: Local news covered health as individual choices: eat better, exercise more. Our own messages matched. We wanted the story to include the conditions people live in.
did: Over {weeks} weeks we trained {n} residents and staff with a framing organization, wrote message guides, and pitched stories that put residents forward as experts on their own lives.
happened+: Coverage shifted; reporters now call our resident spokespeople directly, and stories about asthma in {neighborhood} mention housing conditions.
happened-: One interview was edited to sound as if we blamed landlords as a group. It spread widely, and we spent weeks answering angry calls and questions from {board}.
happened~: Coverage improved, but several members of {board} said we were "getting political," and we had to defend our framing in budget hearings.
differently-: We would prepare for hostile coverage and have a response plan before the first interview.
advice: Put residents at the center of stories, and prepare them for the attention; being quoted can be hard.

@ photovoice
practices: Change the Conversation | Share Decision-Making with Communities
actions: Share residents' stories in their own words | Co-design programs with the people they serve
risks: Community trust | Sharing decision-making with communities
partners: youth organization | residents | library
title+: Youth photovoice in {neighborhood} got new lighting, a bus shelter and a hearing
title-: A photovoice exhibit exposed participants to harassment
title~: Residents' photos moved decision-makers; residents wanted a seat, not an audience
summary+: {n} young people from {youth_org} photographed what made their neighborhood healthy or not. Their exhibit led to new lighting, a bus shelter and a hearing on vacant lots.
summary-: Our photovoice project posted residents' photos online with their names. Some participants were harassed, and we had never discussed the risks with them.
summary~: Residents' photo stories moved {board} and some changes followed, but participants said they wanted a say in decisions, not just an audience.
context: Our reports about {neighborhood} were full of numbers. Residents said the numbers did not show what their lives were like.
did: With {youth_org} we ran a photovoice project: {n} participants took photos over {weeks} weeks, wrote captions, and chose what to exhibit. We paid participants and held the exhibit at the library and at {board}'s chambers.
happened+: Decision-makers came, and stayed. {board} funded lighting and a bus shelter and scheduled a hearing on vacant lots.
happened-: We posted the photos online with names attached. Some participants got hostile messages, and one family asked us to take everything down.
happened~: The exhibit moved people and the lighting improved. But participants wanted a seat in decisions, not just to be seen, and we had no path for that.
differently-: We would discuss safety and consent with each participant and let them decide how they are named.
advice: Stories are powerful. Protect the people who tell them, and be ready to act on what you hear.

@ living-wage
practices: Prioritize Upstream Policy Change
actions: Advocate for living wages and paid sick leave
risks: Engaging in upstream policy work | Political or elected-official backlash
partners: labor union | worker center | business association
title+: We testified for a living wage in {place}, and it passed
title-: Our living-wage testimony got our director called before {board}
title~: A living wage for contractors passed; the broader version stalled
summary+: We presented data linking low wages to health in {place}. {labor_org} led the campaign, and a living wage ordinance covering {n3} workers passed.
summary-: After our director testified for a living wage, {board} called her in to explain why the health department was "doing economic policy."
summary~: A living wage requirement for public contractors passed with our support, but the broader version stalled in committee.
context: About {pct}% of working adults in {place} earned less than a living wage, and we could see it in our data on food insecurity, chronic disease and depression.
did: We wrote a short brief on wages and health, presented it at a community forum organized by {labor_org}, and testified at {board} when invited.
happened+: The ordinance passed in {end}. {labor_org} said our testimony answered the argument that wages are not a health issue.
happened-: Our director was called before {board} to explain the department's "political" activity. We kept our budget, but staff became cautious about saying anything in public.
happened~: The contractor requirement passed. The broader ordinance stalled after business groups lobbied hard against it.
differently-: We would brief members before testifying and be clear that our role was to supply the evidence.
advice: Wages are health policy. Bring the data, and let workers tell their own story.

@ zoning-environmental-justice
practices: Prioritize Upstream Policy Change | Build Government Alliances
actions: Comment on zoning, land use and transportation plans | Brief elected officials on the health effects of their decisions
risks: Engaging in upstream policy work | Political or elected-official backlash
partners: planning department | environmental justice organization | residents
title+: Our comments helped stop a waste transfer station in {neighborhood}
title-: We commented on a rezoning for a distribution warehouse; it passed anyway
title~: Land use comments got us a seat at planning, not the outcome residents wanted
summary+: {neighborhood} already had {n} polluting facilities nearby. Our public comment with health data helped residents win denial of a permit for a new waste transfer station.
summary-: We submitted health comments on a rezoning for a distribution warehouse beside {neighborhood}. It passed, and a planning commissioner called our comments out of scope.
summary~: Our comments on a warehouse rezoning won truck route limits and a buffer, plus a standing invitation to review plans, but the warehouse was built.
context: {neighborhood} had {n} facilities with air permits within a mile and the highest asthma hospitalization rate in {place}. A new permit application arrived in {start}.
did: We mapped existing emission sources against asthma rates, met with the environmental justice group organizing against the permit, and submitted formal comments and testimony.
happened+: The permit was denied. The planning department now asks us for cumulative-impact comments on permits near overburdened neighborhoods.
happened-: The rezoning passed unanimously. One commissioner said health was not a zoning criterion. Residents were disappointed, and some told us we should have come much earlier.
happened~: The project was approved with truck routing limits and a vegetated buffer. Planning now sends us applications for review.
differently-: We would get health written into the comprehensive plan and zoning criteria, so our comments have a legal hook.
advice: Get health into the land use rules themselves; one-off fights are hard to win without a hook.

@ bus-network-redesign
practices: Build Government Alliances | Implement Health in All Policies
actions: Form multi-sector collaborations with housing, transportation, labor, education and corrections agencies | Run health impact assessments on major plans
risks: Engaging in upstream policy work | Community trust
partners: transit agency | disability advocates | riders union
types: county, city, city-county, multi-county district, state
title+: Health data reshaped {transit}'s bus network redesign
title-: The bus redesign we endorsed cut routes older riders relied on
title~: Transit and health now share data; riders in {neighborhood} still wait too long
summary+: We gave {transit} data on where people without cars go for care, groceries and work. The redesign added frequent service to {n} clinics and two grocery stores.
summary-: We endorsed a bus network redesign that promised more frequent service. It cut coverage routes older and disabled riders relied on, and they blamed us too.
summary~: Sharing data with {transit} improved access to clinics, but riders in {neighborhood} still face long waits and transfers.
context: Residents of {neighborhood} told us they missed appointments because buses came once an hour. {transit} was redesigning its network.
did: We shared de-identified appointment and access data, joined the redesign advisory committee, and held rider listening sessions with disability advocates and a riders union.
happened+: The final network added frequent service to {n} clinics and two grocery stores, and {transit} now includes health access in its service standards.
happened-: The redesign cut low-ridership routes. Older and disabled riders lost service, and because we had endorsed the plan, they were angry with us too.
happened~: Clinic access improved, but many riders in {neighborhood} still face long waits, and the agency's budget did not allow more.
differently-: We would ask who loses service before endorsing any transit plan.
advice: Transit agencies make health decisions every day. Offer data they can use, and check who loses before lending your name.

@ school-discipline
practices: Build Government Alliances
actions: Form multi-sector collaborations with housing, transportation, labor, education and corrections agencies | Co-locate staff or share data agreements with partner agencies
risks: Community trust | Political or elected-official backlash
partners: school district | youth organization | parents
title+: Health and schools together cut suspensions in {place}
title-: Our partnership with {school} ended over a report on discipline disparities
title~: School-based health centers expanded; the discipline data stayed private
summary+: With {school} and {youth_org} we treated suspensions as a health issue. Restorative practices replaced many suspensions, and suspensions of Black students fell by {pct}%.
summary-: We published a report on school discipline disparities using data from {school}. The district said we had broken the spirit of our agreement and ended data sharing.
summary~: Our partnership with {school} expanded school-based health centers, but the district would not let us publish discipline data by race.
context: Students who are suspended are more likely to drop out and to be arrested. In {place}, Black students were suspended at several times the rate of white students.
did: We signed a data agreement with {school}, analyzed suspensions, worked with {youth_org} on listening sessions with students, and presented the findings to the school board.
happened+: The district adopted restorative practices in {n} schools. Suspensions fell, and the district now shares data with us every quarter.
happened-: The district was upset when we published and ended the data agreement. The youth organizers carried on, but without data.
happened~: We expanded school-based health centers, but the district would not allow publication of discipline data by race.
differently-: We would agree on publication rules, in writing, before starting the analysis.
advice: Schools are health partners. Agree on how data will be used before you need it.

@ fund-organizing
practices: Support Community Organizing | Allocate Resources
actions: Fund community organizing groups through grants or contracts | Provide data and technical support to organizing campaigns
risks: Funding and grant restrictions | Sharing decision-making with communities
partners: community organizers | foundation
title+: We fund community organizing now, and it shows in our results
title-: Auditors questioned our grants to community organizing groups
title~: Funding organizers built power in {neighborhood}, and strained our relationship
summary+: We give {money} a year to {n} organizing groups in {place} for leadership development and community education. Their members now sit on our advisory boards.
summary-: State auditors questioned our grants to community organizing groups as possibly political. The grants were frozen for months while we documented every activity.
summary~: Funding organizing groups built power in {neighborhood}, but some organizers felt our money came with strings that limited their campaigns.
context: We kept asking community organizations to do outreach for our programs. They asked us to support their own work in return.
did: We created a grant program for organizing groups, {money} a year for leadership development and community education, and reviewed the terms with counsel.
happened+: The groups trained {n2} new leaders. Residents now bring their own priorities to us, and several have been appointed to local boards and commissions.
happened-: State auditors flagged the grants as possibly political and the funds were frozen for {months} months. One group nearly closed.
happened~: The grants built community leadership. Some organizers felt constrained, and we had hard conversations about independence.
differently-: We would document allowable uses clearly and train grantees before any money moved.
advice: Funding organizing is legitimate public health work. Write the terms carefully and keep the paperwork clean.

@ data-for-campaigns
practices: Support Community Organizing | Mobilize Data, Research & Evaluation
actions: Provide data and technical support to organizing campaigns | Publish neighborhood-level data on inequities and their causes
risks: Engaging in upstream policy work | Funding and grant restrictions
partners: community organizers | university
title+: Our data office now takes requests from community campaigns
title-: We gave data to a ballot campaign and were accused of taking sides
title~: A data request line for organizers helped, and overwhelmed us
summary+: We set up a data request process for community groups. In a year we answered {n2} requests, and several answers became evidence in campaigns on housing and transit.
summary-: We provided data to a housing ballot measure campaign. Opponents accused us of taking sides, and {board} ordered a review of our data policies.
summary~: Our data request process for community groups was popular, but we did not have the staff to keep up with demand.
context: Community groups kept asking us for data, and our answers took months. Organizers said the data came too late to matter.
did: We created a simple request form, a two-week turnaround goal, and a rule that we give the same data to anyone who asks. We also trained organizers to read our data.
happened+: We answered {n2} requests in the first year. Groups used the data in campaigns on housing, transit and school meals.
happened-: After we provided data to a ballot campaign, opponents accused us of bias and {board} ordered a review. We kept the program but slowed it down.
happened~: Requests outpaced our staff within months. We had to prioritize, and some groups felt left out.
differently-: We would publish the request policy and every response, so no one can say we pick sides.
advice: Treat data as a public good and make it available to everyone on the same terms.

@ housing-authority-nurse
practices: Build Government Alliances
actions: Co-locate staff or share data agreements with partner agencies
risks: Internal resistance | Community trust
partners: housing authority | legal counsel
title+: A public health nurse at {housing_auth} cut asthma emergency visits among tenants
title-: A data-sharing agreement with {housing_auth} took {months} months and then stalled
title~: Co-locating staff with {housing_auth} helped tenants, and raised privacy fears
summary+: We placed a nurse at {housing_auth} two days a week. She connected tenants with asthma to home visits and repairs, and asthma emergency visits among tenants fell.
summary-: We spent {months} months negotiating a data-sharing agreement with {housing_auth}. Their lawyers and ours never agreed on privacy terms, and it stalled.
summary~: Our nurse at {housing_auth} helped tenants, but some worried their health information would be used against them in housing decisions.
context: Tenants of {housing_auth} had high rates of asthma and repairs were slow. We and the housing authority did not share any information.
did: We negotiated a memorandum of understanding, placed a nurse on site, and set up a referral process for repairs.
happened+: Asthma emergency visits among tenants fell by {pct}% in a year, and the housing authority now prioritizes repairs in units where a child has asthma.
happened-: The agreement went back and forth between lawyers for {months} months. It is still not signed.
happened~: Tenants got help, but some feared their information would affect their housing, and we had to rewrite the consent forms.
differently-: We would involve tenants in designing the consent process from the start.
advice: Data-sharing agreements take time. Start with one small, clear purpose and build from there.

@ peer-network
practices: Build a Health Equity Movement
actions: Collaborate with local, regional, state and national partners from public health and social justice communities | Promote the work of other health departments to make the case for investing in health equity work
risks: Political or elected-official backlash | Internal resistance
partners: state association | other health departments | social justice organizations
title+: A network of {n} health departments in {state} gave our equity staff cover and ideas
title-: Our regional equity network faded when the grant-funded coordinator left
title~: Peer learning across departments worked; joint action was harder
summary+: We joined {n} health departments in {state} in a monthly equity network. Staff share drafts, rehearse testimony together, and cite each other's work to their boards.
summary-: A regional equity network of health departments met for two years on grant funding. When the coordinator left, meetings stopped and no one stepped up.
summary~: Our peer network helped staff learn, but an attempt at a shared position on a state bill split the group.
context: Our equity staff felt isolated, and each department was reinventing the same work. A few of us started talking about meeting regularly.
did: We formed a network with {n} departments in {state}, met monthly, shared materials, and invited social justice organizations to some meetings.
happened+: Staff call it the most useful meeting they attend. We cited a peer department's results in our budget request, and it worked.
happened-: When the grant-funded coordinator left, meetings stopped. No department could spare staff time to take it over.
happened~: The learning worked well. When the network tried a joint statement on a state bill, two departments withdrew.
differently-: We would rotate coordination among departments so the network does not depend on one grant.
advice: Peer networks matter. Citing another department's success to your board is one of the strongest arguments you have.

@ budget-peer-examples
practices: Build a Health Equity Movement | Allocate Resources
actions: Promote the work of other health departments to make the case for investing in health equity work | Fund dedicated health equity staff positions
risks: Political or elected-official backlash | Funding and grant restrictions
partners: other health departments | elected officials
title+: Citing peer departments won our equity budget request
title-: Our budget request citing other departments was dismissed as "not our community"
title~: Peer examples got our equity office funded, at half the request
summary+: Our budget request cited {n} peer departments with equity offices and their results. {board} funded an equity manager and {money} for community grants.
summary-: We built our budget request on peer department examples. Members said those places were "not like us," and the request was denied.
summary~: Our budget request, built on peer examples, was partly funded: we got the position but not the community grants.
context: {leader} wanted to create an equity office and needed {board} to approve it. Members asked whether other departments had done it and what happened.
did: We called {n} peer departments, collected their results and costs, built our request around them, and invited a peer health director to speak at the hearing.
happened+: The request was approved. Members said hearing from a peer director made the difference.
happened-: Members dismissed the examples as coming from bigger, more liberal places, and the request was denied.
happened~: We got the equity manager position but not the community grant fund.
differently-: We would choose peer examples from places like ours in size and politics.
advice: Pick peers your decision-makers respect and see themselves in; that matters more than the size of the result.

@ social-movements
practices: Build a Health Equity Movement | Confront the Root Causes
actions: Listen and learn from broader social movements | Support increasing the voice and influence of impacted communities in policy change
risks: Talking about power and oppression | Community trust
partners: community organizers | faith leaders | youth organization
years: 2018-2024
title+: Listening to movement organizers changed our violence prevention work
title-: After protests in {place}, our statement on racism rang hollow
title~: We learned from local movements; our structures were slow to follow
summary+: After protests in {year} we held paid listening sessions with organizers. We moved violence prevention money to community-led programs and now meet organizers every quarter.
summary-: After protests over a police killing, we issued a statement on racism. Organizers said we had been silent for years and that a statement meant little without action.
summary~: Listening to organizers reshaped our priorities, but our budget and hiring processes were slow to follow.
context: In {year}, protests in {place} focused attention on police violence and racism. Our department had never engaged with the organizers leading them.
did: We held a series of listening sessions with organizers, paid them for their time, and asked what they wanted from a health department.
happened+: We moved {money} of violence prevention funding to community-led programs and set up a quarterly meeting with organizers.
happened-: Our statement was criticized as empty; organizers said they had never seen us before. It took a year of showing up to build any trust.
happened~: We learned a lot and changed priorities, but our budget cycle and hiring rules meant it took two years to fund anything new.
differently-: We would show up before a crisis, not after one.
advice: Movements have been doing this work longer than we have. Listen first, and be ready to change.

@ advisory-board-authority
practices: Build Community Alliances | Share Decision-Making with Communities
actions: Support community advisory boards with real authority | Hand a share of program decisions to a resident steering committee
risks: Sharing decision-making with communities | Community trust
partners: community advisory board | residents
title+: Our community advisory board now approves our strategic plan
title-: Our community advisory board quit over a decision we made without them
title~: Our advisory board has real authority, over the issues we let them decide
summary+: We gave our community advisory board authority to approve our strategic plan and budget priorities. It changed what we fund.
summary-: Our community advisory board learned from the news that we had closed a clinic in {neighborhood}. Most members resigned.
summary~: Our advisory board has real authority over some programs but not over the budget, and members notice the difference.
context: Our community advisory board had met for years to advise on things already decided. Members said they felt like a rubber stamp.
did: We rewrote the charter with the board, gave it authority to approve the strategic plan and budget priorities, and started paying members.
happened+: The board shifted our priorities toward housing and food access. Members now recruit others, and attendance is strong.
happened-: We closed a clinic without consulting the board. Members learned about it from the news, and most resigned.
happened~: The board's decisions on programs are respected, but the budget stays with leadership, and members see the gap.
differently-: We would consult the board before any decision that affects the community, urgent ones included.
advice: An advisory board with no authority is a focus group. Give it real decisions, and honor them.

@ partnership-agreements
practices: Build Community Alliances
actions: Sign partnership agreements with community-based organizations
risks: Community trust | Funding and grant restrictions
partners: community-based organizations | faith leaders
title+: Written partnership agreements with {n} community groups made clear who does what
title-: A partner organization felt used after our grant ended
title~: Partnership agreements helped; a grant cut tested them
summary+: We signed partnership agreements with {n} community organizations in {place}, covering payment terms, data ownership, and how either side can end the partnership.
summary-: We built a partnership with {cbo} for a grant. When the grant ended we ended the partnership, and they said we had used them for the application.
summary~: Our partnership agreements worked until a grant cut forced us to reduce payments. Partners appreciated the honesty, not the cut.
context: Our partnerships with community organizations were informal and depended on individual relationships. When staff left, partnerships ended with them.
did: We drafted partnership agreements together with our partners, covering roles, payment, data ownership and how to end the partnership.
happened+: Partners said the agreements made them feel like equals, and the partnerships continued through two staff changes.
happened-: When the grant ended we ended the partnership with no plan. {cbo} said they felt used and now decline to work with us.
happened~: When our grant was cut by {pct}%, the agreements helped us have an honest conversation, but partners still lost money.
differently-: We would plan for the end of the funding at the beginning.
advice: Write partnership agreements that cover the end, not just the beginning.

@ braided-funding
practices: Allocate Resources
actions: Braid or blend funding streams to support upstream work
risks: Funding and grant restrictions | Internal resistance
partners: finance office | foundation | hospital
title+: Braiding three funding streams paid for a housing-and-health program
title-: Braiding funds for upstream work led to an audit finding
title~: Blended funding kept our upstream work alive, and kept our fiscal staff up at night
summary+: We braided federal, state and hospital funds to pay for a housing-and-health program in {neighborhood}, with a cost allocation plan that passed audit.
summary-: We combined several funding streams for an upstream program. An audit found cost allocation problems, and we had to repay {money}.
summary~: Braided funding kept our upstream work going, but it took a full-time fiscal analyst to manage.
context: Each of our grants paid for a narrow piece of what residents needed. No single source could pay for upstream work on housing.
did: With finance we designed a cost allocation plan combining federal, state and hospital funds, and documented the funding source of each activity.
happened+: The program launched, passed audit, and has served {n3} households.
happened-: An audit found our allocation was not documented well enough and we repaid {money}. Leadership is now wary of braided funding.
happened~: The program works, but we needed a full-time analyst just to manage the funding rules.
differently-: We would walk the auditors through the plan before launch and document everything as we went.
advice: Braided funding is possible. Involve finance early and document relentlessly.

@ protected-pilot-time
practices: Develop Leadership and Support Innovation
actions: Give staff protected time to pilot new approaches | Reward honest reporting of what did not work
risks: Internal resistance
partners: staff union
title+: Protected pilot time led to {n} new approaches, including a mobile clinic
title-: Our staff innovation time disappeared under grant deadlines
title~: Staff pilots produced good ideas; few made it past the pilot
summary+: We gave staff {pct}% of their time for pilots. In two years {n} pilots launched, including a mobile clinic and text-message outreach in three languages.
summary-: We promised staff protected time to try new approaches. Grant deadlines ate it, and within a year no one was using it.
summary~: Staff pilots produced good ideas, but few were scaled because there was no budget to scale them.
context: Staff had ideas for doing things better but no time to try them; every hour was tied to a grant deliverable.
did: We set aside protected time for pilots, created a one-page proposal process, reviewed pilots quarterly, and asked for honest reports, failures included.
happened+: {n} pilots launched. Two became permanent programs, and staff say they feel trusted.
happened-: Deadlines took over, and some managers discouraged staff from using the time. Within a year it was gone.
happened~: Pilots produced ideas, but there was no budget to scale them, and staff grew frustrated.
differently-: We would protect the time in workload planning and hold managers accountable for it.
advice: Innovation needs time and money. Protect the time, and plan for scaling before the first pilot starts.

@ manager-coaching
practices: Develop Leadership and Support Innovation | Build Organizational Capacity
actions: Coach managers to lead conversations about race and power | Build equity competencies into job descriptions and performance reviews
risks: Internal resistance | Talking about power and oppression
partners: executive coaches | staff union
title+: Coaching managers to lead conversations about race changed our team meetings
title-: Manager coaching on race ended after complaints
title~: Some managers embraced race-equity coaching; others waited it out
summary+: We paired {n2} managers with coaches for a year. Teams now talk about race and power openly, and staff surveys show more trust.
summary-: Coaching managers to lead conversations about race drew complaints, and leadership ended it after {months} months.
summary~: Half our managers used coaching to change how their teams work; the rest waited it out, and staff noticed the difference.
context: Staff wanted to talk about race and power in their work. Managers did not know how to lead those conversations and avoided them.
did: We paired {n2} managers with coaches for a year and added equity competencies to managers' performance reviews.
happened+: Staff surveys showed higher trust, and managers say they feel prepared for hard conversations.
happened-: Some managers complained that the coaching was political, and leadership ended it.
happened~: Managers who engaged changed their teams. Others waited it out, and their teams noticed.
differently-: We would tie the coaching to clear expectations in performance reviews from the start.
advice: Managers set the tone. Support them, and hold them accountable.

@ failure-reports
practices: Develop Leadership and Support Innovation
actions: Reward honest reporting of what did not work
risks: Internal resistance | Community trust
partners: community partners
title+: Our "what didn't work" sessions made failure safe to talk about
title-: Honest reporting of failures was used against a team in budget cuts
title~: Reporting failures built trust with partners; one funder was less sure
summary+: We started quarterly sessions where teams share something that did not work. Staff value them most of all our meetings, and partners say they trust our reports more.
summary-: We encouraged teams to report failures. In the next budget cuts, the team that had reported most honestly lost positions.
summary~: Reporting what did not work built trust with community partners, but a funder read our candor as poor performance.
context: Our reports to funders and {board} were all success. Staff knew that was not the full story, and community partners could tell.
did: We started quarterly sessions where each team presents one thing that did not work and what it learned. {leader} presented first.
happened+: Staff now raise problems earlier, and partners say our reports feel honest.
happened-: In the next round of budget cuts, leadership cut the team that had reported problems most openly. Staff noticed.
happened~: Partners welcomed our candor; one funder questioned our performance after reading the report.
differently-: We would protect teams that report honestly, explicitly and in writing.
advice: If you ask for honesty, protect the people who give it.

@ equity-impact-review
practices: Change Internal Practices and Processes
actions: Use an equity impact review before major decisions | Apply an equity lens to hiring, contracting and purchasing
risks: Internal resistance
partners: community advisory board
title+: An equity impact review changed where we put our new clinic
title-: Our equity impact review became a checkbox
title~: Equity reviews caught some problems; staff called them paperwork
summary+: An equity impact review of a clinic relocation showed it would cut access for residents without cars. We chose a different site on a frequent bus line.
summary-: We required equity reviews for major decisions. Within a year staff were filling out the form after the decisions had been made.
summary~: Equity reviews caught real problems, but many staff saw them as extra paperwork.
context: Decisions in our department were made without asking who would be affected. {leader} wanted a tool to change that.
did: We designed a short equity impact review, trained staff to use it, and required it for major decisions.
happened+: The review changed several decisions, including the clinic relocation, and staff now use it early.
happened-: Staff filled out reviews after decisions were made. No decision changed, and the form became a formality.
happened~: Reviews caught some problems, but staff saw them as paperwork. We are simplifying the form.
differently-: We would review a few decisions deeply rather than require a form for all of them.
advice: A review tool is only as good as the decisions it changes. Count those.

@ immigrant-trust
practices: Build Community Alliances | Confront the Root Causes
actions: Sign partnership agreements with community-based organizations | Speak out publicly on racism and power
risks: Community trust | Political or elected-official backlash
partners: immigrant rights organization | faith leaders | community health workers
title+: Immigrant families in {place} came back to our clinics after we changed our policies
title-: Immigration enforcement emptied our clinics, and our reassurances were not enough
title~: Our "we don't ask" policy helped; a state law undercut it
summary+: When immigration enforcement increased, we stopped collecting immigration status, trained staff, and let {cbo} lead outreach. Clinic visits recovered within {months} months.
summary-: Clinic visits by immigrant families fell {pct}% during an enforcement surge. Our reassurances were not trusted, and a state official attacked our "sanctuary" policies.
summary~: We adopted a policy not to ask about immigration status. A new state law required cooperation with enforcement in some cases, and families stopped coming again.
context: In {year}, immigration enforcement in {place} increased, and immigrant families stopped coming to our clinics and WIC offices.
did: We reviewed our forms, stopped asking about immigration status wherever it was not required, trained front-desk staff, and partnered with {cbo} for outreach led by community health workers.
happened+: Visits recovered within {months} months, and {cbo} now co-hosts clinics in churches.
happened-: Visits fell {pct}%. Families did not believe our assurances, and a state official called our policies "sanctuary by another name."
happened~: Visits recovered, then fell again after a state law passed. We are still working with {cbo} on what we can honestly promise.
differently-: We would let trusted community messengers lead from the start.
advice: Trust comes from trusted messengers, not from assurances. Work with the people the community already trusts.

@ medicaid-accountability
practices: Build a Health Equity Movement
actions: Hold provider networks and other public health system partners accountable for advancing health equity
risks: Political or elected-official backlash | Internal resistance
partners: managed care organizations | state Medicaid agency | hospital
title+: Medicaid plans in {state} now report equity measures because we pushed
title-: We pushed Medicaid plans on equity; the state agency pushed back
title~: Equity measures went into the Medicaid contracts, without teeth
summary+: With the state Medicaid agency and community partners we got equity measures added to managed care contracts. Plans now report prenatal care by race and neighborhood.
summary-: We published data showing gaps in prenatal care by Medicaid plan. The state Medicaid agency told us to stop and said we had no standing.
summary~: Equity measures were added to the Medicaid contracts, but with no penalties, and the plans have changed little.
context: Medicaid managed care plans cover {pct2}% of births in {place}, and gaps in prenatal care by race were large.
did: We analyzed prenatal care by plan and race, shared the results with the plans and the state agency, and proposed equity measures for their contracts.
happened+: The state added equity measures to the contracts. Plans now report quarterly, and one plan began covering doula services.
happened-: The state agency said our analysis overstepped our role and asked us to stop. We paused the work.
happened~: The measures were added without penalties. Plans report the data but have changed little.
differently-: We would build support among community partners and legislators before publishing anything.
advice: Hold system partners accountable with data, and line up allies before you publish.

@ faith-council
practices: Build Community Alliances
actions: Sign partnership agreements with community-based organizations | Support community advisory boards with real authority
risks: Community trust | Talking about power and oppression
partners: faith leaders | community health workers
title+: A faith leaders' health council in {place} carries our equity message
title-: Our faith partnership split over how we talked about racism
title~: Faith leaders opened doors; some closed them when we took on LGBTQ health
summary+: We formed a health council of {n} faith leaders. They co-host clinics, share health messages with their congregations, and advise on our equity work.
summary-: Our faith leaders' council split when some members objected to how we talked about racism in a community report.
summary~: Faith leaders helped us reach thousands of residents, but some withdrew when we expanded our work to LGBTQ health.
context: Faith communities in {place} are trusted, and many residents of {neighborhood} attend services weekly. We had no formal relationships with them.
did: We met {n} faith leaders one by one, formed a health council, and paid congregations for hosting and for leaders' time.
happened+: The council co-hosted {n2} clinics and shared health messages from the pulpit, and attendance at our events grew.
happened-: Some leaders objected to our language on racism, and the council split in two.
happened~: The council opened doors, but some members withdrew when we began work on LGBTQ health.
differently-: We would talk openly about our values at the very start.
advice: Faith leaders are powerful partners. Be clear about your values from the beginning.

@ elected-briefings
practices: Build Government Alliances
actions: Brief elected officials on the health effects of their decisions
risks: Political or elected-official backlash
partners: elected officials | community partners
title+: Regular briefings turned members of {board} into equity champions
title-: Briefing elected officials on equity got us labeled partisan
title~: Our briefings built relationships with some members of {board}, not others
summary+: We offered every member of {board} a quarterly briefing on the health effects of upcoming decisions. Several now ask for health input on their own.
summary-: We began briefing elected officials on equity. Some members called us partisan, and {leader} was told to stop.
summary~: Briefings built strong relationships with some members of {board}; others refused to meet with us at all.
context: {board} made decisions on housing, transportation and budget without health input. Members knew us only from emergencies.
did: We offered each member a quarterly one-on-one briefing, with a page of local data on the decisions coming up.
happened+: Several members now ask for health input on their own, and one sponsored a healthy housing ordinance.
happened-: Some members called us partisan, and {leader} was told to stop the briefings.
happened~: Some members welcomed us; others refused to meet.
differently-: We would offer every member the same briefing and keep it strictly to data.
advice: Relationships with elected officials are built between crises. Start early.

@ life-expectancy-report
practices: Mobilize Data, Research & Evaluation | Change the Conversation
actions: Publish neighborhood-level data on inequities and their causes | Frame health as shaped by housing, jobs, education and power
risks: Talking about power and oppression | Political or elected-official backlash
partners: university | media | residents
title+: A life expectancy gap of {n} years in {place} became a campaign for investment
title-: Our life expectancy report named redlining; the backlash named us
title~: Our life expectancy map made headlines, and then faded
summary+: Our report showed a life expectancy gap of {n} years between neighborhoods. Residents used it to push for investment, and {board} created a neighborhood fund.
summary-: Our life expectancy report linked neighborhood gaps to redlining. Some officials called it divisive and questioned our funding.
summary~: Our life expectancy report made headlines, but attention faded and little changed.
context: Life expectancy in {place} varied by up to {n} years between neighborhoods a few miles apart.
did: With {university} we published a report with maps, plain explanations of causes including redlining, and residents' own stories.
happened+: The report became a rallying point, and {board} created a neighborhood investment fund of {money}.
happened-: Some officials called the report divisive, and our budget was questioned at the next hearing.
happened~: The report got wide attention, but we had planned no follow-up, and the attention faded.
differently-: We would plan follow-up actions with partners before publishing.
advice: Data starts conversations. Plan what happens next before you release it.

@ community-health-workers
practices: Build Organizational Capacity | Build Community Alliances
actions: Create a standing health equity team with time and authority | Sign partnership agreements with community-based organizations
risks: Funding and grant restrictions | Community trust
partners: community health workers | community-based organizations
years: 2020-2025
title+: We hired {n2} community health workers from the neighborhoods we serve
title-: Our community health workers were let go when the grant ended
title~: Community health workers transformed our outreach; our HR rules nearly stopped us
summary+: We hired {n2} community health workers from {neighborhood} and nearby neighborhoods. They reached residents we never had.
summary-: When pandemic funding ended we let our community health workers go. Residents who trusted them felt abandoned.
summary~: Community health workers transformed our outreach, but our HR rules required degrees they did not have.
context: Our outreach relied on flyers and events. Residents of {neighborhood} did not know who we were.
did: Using pandemic funding, we hired {n2} community health workers from the neighborhoods we serve, with full pay and benefits.
happened+: They reached {n3} residents and became the most trusted part of our department.
happened-: When the funding ended, the positions ended. Residents felt abandoned, and partners asked who they should call.
happened~: Outreach was transformed, but we had to fight HR for months to waive degree requirements.
differently-: We would plan sustainable funding for the positions from the start.
advice: Hire from the community, and fight for the positions to last.

@ data-sovereignty
practices: Mobilize Data, Research & Evaluation | Build Community Alliances
actions: Let communities choose and interpret the indicators | Evaluate equity initiatives with community partners
risks: Community trust | Sharing decision-making with communities
partners: tribal council | university | state health department
types: tribal
title+: A data sovereignty agreement put our nation's health data under our control
title-: A university study published our community's data without our approval
title~: Our data agreement with the state took {months} months and is still imperfect
summary+: We negotiated a data sovereignty agreement with the state and {university}. No study using our citizens' data is published now without review by our health board.
summary-: A university team published findings about our community using state data we never approved. The results were stigmatizing and reached the news before we saw them.
summary~: The state now shares our citizens' surveillance data within weeks, but race misclassification still undercounts our people by about {pct}%.
context: For years, data about our community were collected by the state, universities and federal agencies, and we saw them last, if at all. Race misclassification on death certificates meant our own mortality numbers were wrong.
did: Our health board adopted a data sovereignty resolution in {start}. We used it to negotiate agreements with the state health department and {university} that require our review before publication and return data to us first.
happened+: The agreements were signed in {end}. We now receive surveillance data within weeks, and two research proposals were changed after our review to include community interpretation.
happened-: Before any agreement existed, a research team published a paper on substance use in our community using state data. It was in regional news before {board} saw it, and families felt exposed.
happened~: The state agreed to share data, and a linkage with our enrollment records corrected some misclassification. Federal data still undercount us by about {pct}%, and we have no agreement with those agencies.
differently-: We would adopt our data sovereignty policy years earlier; without it we had nothing to point to.
advice: Write your data sovereignty policy before you need it, and put review rights into every agreement.

@ lead-service-lines
practices: Prioritize Upstream Policy Change
actions: Support tenant protections and affordable housing policy | Comment on zoning, land use and transportation plans
risks: Engaging in upstream policy work | Community trust
partners: water utility | residents | environmental justice organization
title+: Our lead data and residents' organizing won a lead service line replacement plan
title-: We were slow to share lead results, and residents stopped trusting us
title~: The lead line replacement plan passed; renters in {neighborhood} are still waiting
summary+: We mapped children's blood lead results against the utility's service line records. With residents organizing, {board} approved replacing every lead service line at no cost to owners.
summary-: When water tests in {neighborhood} came back high for lead, we took {weeks} weeks to tell residents while we verified results. By then they had heard it from a reporter.
summary~: The replacement plan passed and {n3} lines are done. Landlords must consent to replacement, and many renters in {neighborhood} are still waiting.
context: {place} has thousands of lead service lines, concentrated in older neighborhoods like {neighborhood}, where children's blood lead levels were several times the overall rate.
did: We matched blood lead testing data with the water utility's service line inventory, shared the map with residents and an environmental justice group, and testified with residents at {board} in {start}.
happened+: {board} approved a ten-year replacement program with no cost to property owners, prioritized by children's blood lead levels. {n3} lines were replaced in the first two years.
happened-: Our caution looked like concealment. Residents learned the results from the news, organized a public meeting, and asked why we had waited. It took a year of door-to-door work to rebuild trust.
happened~: The program passed and is on schedule for owner-occupied homes. Rental properties need landlord consent, and too many landlords have not given it.
differently-: We would tell residents what we knew and did not know as soon as we knew it, and update them often.
differently~: We would push for a rule letting the utility replace lines at rental properties without landlord consent.
advice: In an environmental health crisis, being first and honest matters more than being complete.

@ anti-dei-law
practices: Confront the Root Causes | Change the Conversation
actions: Speak out publicly on racism and power | Frame health as shaped by housing, jobs, education and power
risks: Political or elected-official backlash | Funding and grant restrictions
partners: legal counsel | community partners | state association
kinds: 1 5 4
years: 2023-2026
types: county, city, city-county, multi-county district, state
title+: We kept our equity work going under a state anti-DEI law by grounding it in outcomes
title-: A state anti-DEI law forced us to rename our equity office and drop staff training
title~: Our equity office has a new name; most of its work continues quietly
summary+: When a state law restricted "diversity, equity and inclusion" programs, counsel reviewed each of our activities with us. Almost all of our work, grounded in health outcomes, continued.
summary-: After a state law restricted equity programs, we renamed our office, ended staff training on racism, and removed equity language from job descriptions. Two staff left.
summary~: We renamed our equity office and rewrote job descriptions to comply with a new state law. Most community work continues, but staff are unsure what they can say.
context: In {year}, {state} passed a law restricting "diversity, equity and inclusion" offices and training in public agencies. It was unclear whether it covered a health department's work on health disparities.
did: We asked counsel for a written review of each equity activity against the law, documented how each one served health outcomes and our statutory duties, and briefed partners on what might change.
happened+: Counsel found almost all of our work was outcome-driven disease prevention. We changed some names and training content, kept the programs, and told partners exactly what changed and why.
happened-: Leadership chose the most cautious reading. The equity office was renamed, staff training on racism ended, and equity language came out of job descriptions. Two experienced staff left, and partners asked whether we were still with them.
happened~: We renamed the office and rewrote job descriptions. Community partnerships continue, but staff self-censor, and some partners read the changes as retreat.
differently-: We would get a written legal opinion before changing anything, instead of acting on the most cautious rumor.
advice: Read the law, not the headlines. Document how each piece of your work serves health outcomes, and tell partners what is changing before they hear it elsewhere.

@ federal-grant-terminated
practices: Allocate Resources | Build Community Alliances
actions: Braid or blend funding streams to support upstream work | Sign partnership agreements with community-based organizations
risks: Funding and grant restrictions | Community trust
partners: foundation | community-based organizations
kinds: 1 6 3
years: 2025-2026
title+: Local partners and a foundation kept our community health workers after a federal cut
title-: A terminated federal grant ended our community partnerships overnight
title~: We lost a federal equity grant mid-year; half the program survived
summary+: Our federal grant for community health workers was terminated in {start}. Within {weeks} weeks, {funder} and {board} bridged the gap, and no one was laid off.
summary-: Our federal health equity grant was terminated with {weeks} weeks' notice. We ended {n} community partner contracts and laid off staff, and partners were left with unpaid invoices.
summary~: When our federal equity grant was terminated mid-year we kept the community health workers but ended the community grants program.
context: Much of our equity work, including contracts with {n} community organizations, was funded by a single federal grant. In {year} it was terminated mid-cycle.
did: We told partners the same week, paid every invoice already due, and brought {board} and local funders a bridge-funding request with options and costs.
happened+: {funder} and {board} bridged the gap for a year. We kept staff and partners, and we are rebuilding on more diverse funding.
happened-: There was no bridge money. We ended partner contracts and laid off grant-funded staff. Some partners had hired on the strength of our contracts and had to lay people off too.
happened~: We kept the community health workers with local money but ended the community grants program, and two partner organizations closed.
differently-: We would never again let one grant carry most of our community partnerships.
advice: Diversify funding for equity work, and keep a reserve or a standing agreement with a local funder for sudden cuts.

@ vaccine-equity
practices: Build Community Alliances | Share Decision-Making with Communities
actions: Sign partnership agreements with community-based organizations | Co-design programs with the people they serve
risks: Community trust | Internal resistance
partners: community health workers | faith leaders | barbershops
years: 2020-2022
title+: Community-run vaccine clinics in {neighborhood} closed our vaccination gap
title-: Our mass vaccination site left {neighborhood} behind
title~: Community partners closed much of the vaccine gap; our systems made it harder
summary+: We gave {cbo} and congregations vaccine, staff and money and let them decide where and when to hold clinics. Vaccination in {neighborhood} rose from the lowest to near average.
summary-: We opened a large drive-through vaccination site. Online-only sign-up and no bus access meant residents of {neighborhood} were vaccinated at half the rate of wealthier areas.
summary~: Community-run clinics reached people our mass site missed, but our registration system, and staff reluctant to give up control, slowed them down.
context: When COVID vaccines became available, the neighborhoods hit hardest by the virus, like {neighborhood}, had the lowest vaccination rates in {place}.
did: We contracted with {cbo}, faith leaders and barbershops to run clinics where and when residents wanted them, with walk-ups allowed and community health workers making follow-up calls.
happened+: {n2} community clinics vaccinated {n3} people, and the gap between {neighborhood} and the rest of {place} shrank from {pct} points to a few.
happened-: Appointments went to people with cars and broadband. Residents of {neighborhood} were vaccinated at half the rate of wealthier areas until we changed course months later.
happened~: Community clinics reached thousands, but our online registration system and some staff who wanted control slowed things down.
differently-: We would design access with the communities most affected before opening anything.
advice: In an emergency, give trusted community partners resources and real decisions; they know what works.
"""


def parse_scenarios(text: str = SCENARIOS_TEXT) -> list[dict]:
    """Scenario blocks as dicts: lists for practices/actions/risks/partners/types, lists of variants per text field."""
    scenarios: list[dict] = []
    for block in text.split("\n@ ")[1:]:
        lines = block.strip().splitlines()
        scenario: dict = {"key": lines[0].strip(), "kinds": (50, 34, 16), "years": (2017, 2026), "types": ()}
        for line in lines[1:]:
            if not line.strip():
                continue
            field, _, value = line.partition(": ")
            if field in ("practices", "actions", "risks", "partners"):
                scenario[field] = [v.strip() for v in value.split(" | ")]
            elif field == "kinds":
                scenario["kinds"] = tuple(int(v) for v in value.split())
            elif field == "years":
                first, last = value.split("-")
                scenario["years"] = (int(first), int(last))
            elif field == "types":
                scenario["types"] = tuple(v.strip() for v in value.split(","))
            else:
                scenario.setdefault(field, []).append(value.strip())
        scenarios.append(scenario)
    return scenarios


SCENARIOS = parse_scenarios()
