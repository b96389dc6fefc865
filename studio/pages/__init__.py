"""Pages of the studio: functions returning components, registered in studio.studio."""
