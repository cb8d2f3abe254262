/* last-event.h: a domain's last notable event, for the Last event column */
#pragma once

#include <libvirt-gevents/libvirt-gevents.h>

G_BEGIN_DECLS

#define EXAMPLE_TYPE_LAST_EVENT (example_last_event_get_type ())
G_DECLARE_FINAL_TYPE (ExampleLastEvent, example_last_event, EXAMPLE, LAST_EVENT, GObject)

ExampleLastEvent *example_last_event_of     (GVirDomainEvents *events);
void              example_last_event_detach (GVirDomainEvents *events);

G_END_DECLS
