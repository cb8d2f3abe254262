/* domain-item.h: one row of the domain list, fed by the domain's events */
#pragma once

#include <libvirt-gevents/libvirt-gevents.h>

G_BEGIN_DECLS

#define EXAMPLE_TYPE_DOMAIN_ITEM (example_domain_item_get_type ())
G_DECLARE_FINAL_TYPE (ExampleDomainItem, example_domain_item, EXAMPLE, DOMAIN_ITEM, GObject)

ExampleDomainItem *example_domain_item_new            (GVirDomain *domain);
const gchar       *example_domain_item_get_uuid       (ExampleDomainItem *self);
const gchar       *example_domain_item_get_name       (ExampleDomainItem *self);
const gchar       *example_domain_item_get_state      (ExampleDomainItem *self);
const gchar       *example_domain_item_get_last_event (ExampleDomainItem *self);
gboolean           example_domain_item_get_error      (ExampleDomainItem *self);
GVirDomainEvents  *example_domain_item_get_events     (ExampleDomainItem *self);

G_END_DECLS
