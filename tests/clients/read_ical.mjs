// Read an iCalendar feed from stdin as Thunderbird does, with Mozilla's ical.js, and print
// each event's start, end and alarm instants as JSON: what a subscriber's calendar would show.
// A time is {"date": "YYYY-MM-DD"} for a whole day, else {"utc": seconds since 1970}.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}

const instant = (time) => (time.isDate ? { date: time.toString() } : { utc: time.toUnixTime() });

function alarmAt(event, alarm) {
  const trigger = alarm.getFirstProperty("trigger");
  const value = trigger.getFirstValue();
  if (value instanceof ICAL.Time) return instant(value);
  const related = trigger.getParameter("related") === "END" ? event.endDate : event.startDate;
  const at = related.clone();
  at.addDuration(value);
  return instant(at);
}

const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    start: instant(event.startDate),
    end: instant(event.endDate),
    alarms: component.getAllSubcomponents("valarm").map((alarm) => alarmAt(event, alarm)),
  };
});
process.stdout.write(JSON.stringify(events));
