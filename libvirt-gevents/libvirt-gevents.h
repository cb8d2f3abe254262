/*
 * libvirt-gevents.h: every libvirt domain event as a typed GObject signal
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define __LIBVIRT_GEVENTS_H_INSIDE__

#include <libvirt-gevents/gvir-events-enums.h>
#include <libvirt-gevents/gvir-events-enum-types.h>
#include <libvirt-gevents/gvir-graphics-client.h>
#include <libvirt-gevents/gvir-event.h>
#include <libvirt-gevents/gvir-domain-events.h>
#include <libvirt-gevents/gvir-connection-events.h>
#include <libvirt-gevents/gvir-object-events.h>
#include <libvirt-gevents/gvir-event-log.h>

#undef __LIBVIRT_GEVENTS_H_INSIDE__
