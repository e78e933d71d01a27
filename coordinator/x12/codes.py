"""Code tables for the 270/271 eligibility transactions (005010X279A1), code -> label.

Source: DOMAIN.md Part 2, section 6 (6.2 EB elements and EB01 codes, 6.3 service types). Code
*lists* were checked against the EB/AAA element code sets in pyx12's 271 map
(`pyx12/map/271.4010.X092.A1.xml`, same layout as 5010); the AAA03/AAA04 *labels* match two
independent public code tables (a C# and a PHP 271 reader) and the TR3 wording as remembered.
Tables hold only codes we are sure of: a code missing here is not an error in a 271, it just has
no label (see `label`). Codes 60-69 of the service-type list are NOT behavioural codes (60 General
Benefits ... 69 Maternity), so they are deliberately absent.
"""

from __future__ import annotations

from collections.abc import Mapping

IMPLEMENTATION_GUIDE = "005010X279A1"
INTERCHANGE_VERSION = "00501"

ELIGIBILITY_CODES: dict[str, str] = {
    "1": "Active Coverage",
    "2": "Active - Full Risk Capitation",
    "3": "Active - Services Capitated",
    "4": "Active - Services Capitated to Primary Care Physician",
    "5": "Active - Pending Investigation",
    "6": "Inactive",
    "7": "Inactive - Pending Eligibility Update",
    "8": "Inactive - Pending Investigation",
    "A": "Co-Insurance",
    "B": "Co-Payment",
    "C": "Deductible",
    "CB": "Coverage Basis",
    "D": "Benefit Description",
    "E": "Exclusions",
    "F": "Limitations",
    "G": "Out of Pocket (Stop Loss)",
    "H": "Unlimited",
    "I": "Non-Covered",
    "J": "Cost Containment",
    "K": "Reserve",
    "L": "Primary Care Provider",
    "M": "Pre-existing Condition",
    "MC": "Managed Care Coordinator",
    "N": "Services Restricted to Following Provider",
    "O": "Not Deemed a Medical Necessity",
    "P": "Benefit Disclaimer",
    "Q": "Second Surgical Opinion Required",
    "R": "Other or Additional Payor",
    "S": "Prior Year(s) History",
    "T": "Card(s) Reported Lost/Stolen",
    "U": "Contact Following Entity for Eligibility or Benefit Information",
    "V": "Cannot Process",
    "W": "Other Source of Data",
    "X": "Health Care Facility",
    "Y": "Spend Down",
}

ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})

COVERAGE_LEVELS: dict[str, str] = {
    "CHD": "Children Only",
    "DEP": "Dependents Only",
    "ECH": "Employee and Children",
    "EMP": "Employee Only",
    "ESP": "Employee and Spouse",
    "FAM": "Family",
    "IND": "Individual",
    "SPC": "Spouse and Children",
    "SPO": "Spouse Only",
}

INSURANCE_TYPES: dict[str, str] = {
    "C1": "Commercial",
    "CO": "Consolidated Omnibus Budget Reconciliation Act (COBRA)",
    "EP": "Exclusive Provider Organization (EPO)",
    "GP": "Group Policy",
    "HM": "Health Maintenance Organization (HMO)",
    "HN": "Health Maintenance Organization (HMO) - Medicare Risk",
    "IN": "Indemnity",
    "IP": "Individual Policy",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "MP": "Medicare Primary",
    "OT": "Other",
    "PR": "Preferred Provider Organization (PPO)",
    "PS": "Point of Service (POS)",
    "SP": "Supplemental Policy",
    "WC": "Workers' Compensation",
}

TIME_PERIODS: dict[str, str] = {
    "6": "hour",
    "7": "day",
    "13": "24 hours",
    "21": "years",
    "22": "service year",
    "23": "calendar year",
    "24": "year to date",
    "25": "contract",
    "26": "episode",
    "27": "visit",
    "28": "outlier",
    "29": "remaining",
    "30": "exceeded",
    "31": "not exceeded",
    "32": "lifetime",
    "33": "lifetime remaining",
    "34": "month",
    "35": "week",
    "36": "admission",
}

QUANTITY_QUALIFIERS: dict[str, str] = {
    "99": "Quantity Used",
    "CA": "Covered - Actual",
    "CE": "Covered - Estimated",
    "DB": "Deductible Blood Units",
    "DY": "Days",
    "HS": "Hours",
    "LA": "Life-time Reserve - Actual",
    "LE": "Life-time Reserve - Estimated",
    "MN": "Month",
    "P6": "Number of Services or Procedures",
    "QA": "Quantity Approved",
    "S7": "Age, High Value",
    "S8": "Age, Low Value",
    "VS": "Visits",
    "YY": "Years",
}

SERVICE_TYPES: dict[str, str] = {
    "1": "Medical Care",
    "5": "Diagnostic Lab",
    "22": "Social Work",
    "30": "Health Benefit Plan Coverage",
    "33": "Chiropractic",
    "35": "Dental Care",
    "47": "Hospital",
    "48": "Hospital - Inpatient",
    "50": "Hospital - Outpatient",
    "86": "Emergency Services",
    "88": "Pharmacy",
    "98": "Professional (Physician) Visit - Office",
    "A4": "Psychiatric",
    "A5": "Psychiatric - Room and Board",
    "A6": "Psychotherapy",
    "A7": "Psychiatric - Inpatient",
    "A8": "Psychiatric - Outpatient",
    "AI": "Substance Abuse",
    "AJ": "Alcoholism",
    "AK": "Drug Addiction",
    "AL": "Vision (Optometry)",
    "BB": "Partial Hospitalization (Psychiatric)",
    "BC": "Day Care (Psychiatric)",
    "BD": "Cognitive Therapy",
    "CE": "Mental Health Provider - Inpatient",
    "CF": "Mental Health Provider - Outpatient",
    "CG": "Mental Health Facility - Inpatient",
    "CH": "Mental Health Facility - Outpatient",
    "CI": "Substance Abuse Facility - Inpatient",
    "CJ": "Substance Abuse Facility - Outpatient",
    "CQ": "Case Management",
    "MH": "Mental Health",
    "RT": "Residential Psychiatric Treatment",
    "UC": "Urgent Care",
}

SUD_INQUIRY_SERVICE_TYPES = ("30", "AI", "AK", "CI", "CJ", "MH", "BB", "RT", "88")

REJECT_REASONS: dict[str, str] = {
    "04": "Authorized Quantity Exceeded",
    "15": "Required application data missing",
    "41": "Authorization/Access Restrictions",
    "42": "Unable to Respond at Current Time",
    "43": "Invalid/Missing Provider Identification",
    "44": "Invalid/Missing Provider Name",
    "45": "Invalid/Missing Provider Specialty",
    "46": "Invalid/Missing Provider Phone Number",
    "47": "Invalid/Missing Provider State",
    "48": "Invalid/Missing Referring Provider Identification Number",
    "49": "Provider is Not Primary Care Physician",
    "50": "Provider Ineligible for Inquiries",
    "51": "Provider Not on File",
    "52": "Service Dates Not Within Provider Plan Enrollment",
    "53": "Inquired Benefit Inconsistent with Provider Type",
    "54": "Inappropriate Product/Service ID Qualifier",
    "55": "Inappropriate Product/Service ID",
    "56": "Inappropriate Date",
    "57": "Invalid/Missing Date(s) of Service",
    "58": "Invalid/Missing Date-of-Birth",
    "60": "Date of Birth Follows Date(s) of Service",
    "61": "Date of Death Precedes Date(s) of Service",
    "62": "Date of Service Not Within Allowable Inquiry Period",
    "63": "Date of Service in Future",
    "64": "Invalid/Missing Patient ID",
    "65": "Invalid/Missing Patient Name",
    "66": "Invalid/Missing Patient Gender Code",
    "67": "Patient Not Found",
    "68": "Duplicate Patient ID Number",
    "69": "Inconsistent with Patient's Age",
    "70": "Inconsistent with Patient's Gender",
    "71": "Patient Birth Date Does Not Match That for the Patient on the Database",
    "72": "Invalid/Missing Subscriber/Insured ID",
    "73": "Invalid/Missing Subscriber/Insured Name",
    "74": "Invalid/Missing Subscriber/Insured Gender Code",
    "75": "Subscriber/Insured Not Found",
    "76": "Duplicate Subscriber/Insured ID Number",
    "77": "Subscriber Found, Patient Not Found",
    "78": "Subscriber/Insured Not in Group/Plan Identified",
    "79": "Invalid Participant Identification",
    "80": "No Response received - Transaction Terminated",
    "97": "Invalid or Missing Provider Address",
    "T4": "Payer Name or Identifier Missing",
}

FOLLOW_UP_ACTIONS: dict[str, str] = {
    "C": "Please Correct and Resubmit",
    "N": "Resubmission Not Allowed",
    "P": "Please Resubmit Original Transaction",
    "R": "Resubmission Allowed",
    "S": "Do Not Resubmit; Inquiry Initiated to a Third Party",
    "W": "Please Wait 30 Days and Resubmit",
    "X": "Please Wait 10 Days and Resubmit",
    "Y": "Do Not Resubmit; We Will Hold Your Request and Respond Again Shortly",
}

DEPENDENT_RELATIONSHIPS: dict[str, str] = {
    "01": "Spouse",
    "19": "Child",
    "G8": "Other Relationship",
}

CONTACT_QUALIFIERS: dict[str, str] = {
    "TE": "phone",
    "EX": "extension",
    "FX": "fax",
    "EM": "email",
    "UR": "website",
}


def label(table: Mapping[str, str], code: str | None) -> str | None:
    """The label for `code`, or None when the code is absent or not in our (partial) table."""
    if not code:
        return None
    return table.get(code)
