/*
 * guest.S: 512-byte boot-sector guests for the libvirt-gevents integration
 * suite.  One source, one image per scenario: the build assembles it once per
 * mode with `as --32 --defsym MODE=<n>` and links it at 0x7c00 as a flat
 * binary (see meson.build).  SeaBIOS loads the sector from the first hard
 * disk (hda) and jumps to it in real mode.
 *
 * Scenarios (MODE):
 *   0 idle      cli; hlt forever (lifecycle, metadata, tunable, VNC, reset...)
 *   1 watchdog  arms the ib700 watchdog (port 0x443) with index 0x0E = 2 s,
 *               then idles: the timer runs out once, 2 s after the write.
 *   2 rtc       sets the CMOS RTC to 2001-02-03 04:05:06 (BCD, 24 h) under
 *               the SET bit of register B, then clears SET: QEMU sends one
 *               RTC_CHANGE whose offset is 981173106 - (host UTC time).
 *               GUEST_RTC_EPOCH in test-real-events.c must match.
 *   3 ioerror   int 13h AH=42h: reads LBA 0 of the second disk (DL=0x81),
 *               then idles.  Against the failing NBD disk every read fails.
 *   4 diskwrite int 13h AH=43h: writes one sector at LBA 16 (bytes
 *               8192..8703) of the second disk, about 18 times a second
 *               (one write per PIT tick), forever.
 *   5 reset     if CMOS byte 0x6F is not 0xA5, stores 0xA5 there and resets
 *               the machine through the keyboard controller (0xFE to port
 *               0x64); after the reset it finds the mark and idles.  So a
 *               run of this guest causes exactly one guest-initiated reset.
 *   6 balloon   finds the virtio balloon (PCI 1af4:1002, legacy I/O BAR0) and
 *               writes 1024 (4 MiB of 4 KiB pages) to its config field
 *               `actual`: QEMU reports BALLOON_CHANGE with RAM - 4 MiB,
 *               i.e. 12288 KiB for the suite's 16 MiB guests.
 *   7 s3        once (mark 0x5A in CMOS byte 0x6E), enters ACPI S3: writes
 *               SLP_TYP=1|SLP_EN to PM1a_CNT of the PIIX4 PM function
 *               (PCI 00:01.3, base read from its PMBA register).  Waking
 *               the guest resets it; on that boot it finds the mark, idles.
 *   8 s4        enters ACPI S4 (SLP_TYP=2, QEMU's PIIX4 s4_val): QEMU
 *               reports SUSPEND_DISK and powers the guest off.
 *   9 dimm      a guest that refuses to give back memory: watches the ACPI
 *               memory hotplug registers (port 0xa00, slot 0) and, when the
 *               host asks to eject the DIMM there, answers _OST(eject,
 *               failure).  QEMU reports ACPI_DEVICE_OST, libvirt a failed
 *               device removal.
 */

        .set MODE_IDLE,      0
        .set MODE_WATCHDOG,  1
        .set MODE_RTC,       2
        .set MODE_IOERROR,   3
        .set MODE_DISKWRITE, 4
        .set MODE_RESET,     5
        .set MODE_BALLOON,   6
        .set MODE_S3,        7
        .set MODE_S4,        8
        .set MODE_DIMM,      9

        .ifndef MODE
        .error "assemble with --defsym MODE=<n>"
        .endif

        .macro cmos_write reg, val
        movb    $\reg, %al
        outb    %al, $0x70
        movb    $\val, %al
        outb    %al, $0x71
        .endm

        .code16
        .text
        .globl  _start
_start:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $0x7c00, %sp
        ljmp    $0, $start          /* normalise CS:IP to 0000:7cxx */
start:

        .if MODE == MODE_WATCHDOG
        movw    $0x443, %dx         /* ib700: write timeout index, starts timer */
        movb    $0x0e, %al          /* index 14: 2 seconds */
        outb    %al, %dx
        .endif

        .if MODE == MODE_RTC
        cmos_write 0x0b, 0x82       /* reg B: SET, 24 h, BCD */
        cmos_write 0x00, 0x06       /* seconds */
        cmos_write 0x02, 0x05       /* minutes */
        cmos_write 0x04, 0x04       /* hours */
        cmos_write 0x07, 0x03       /* day of month */
        cmos_write 0x08, 0x02       /* month */
        cmos_write 0x09, 0x01       /* year in century */
        cmos_write 0x32, 0x20       /* century */
        cmos_write 0x0b, 0x02       /* clear SET: QEMU sets the time -> RTC_CHANGE */
        .endif

        .if MODE == MODE_IOERROR
        movw    $dap, %si
        movb    $0x42, %ah          /* extended read */
        movb    $0x81, %dl          /* second hard disk */
        int     $0x13
        .endif

        .if MODE == MODE_DISKWRITE
write_loop:
        movw    $dap, %si
        movw    $0x4300, %ax        /* extended write, no verify */
        movb    $0x81, %dl
        int     $0x13
        sti
        hlt                         /* wait for the next timer tick */
        cli
        jmp     write_loop
        .endif

        .if MODE == MODE_RESET
        movb    $0x6f, %al
        outb    %al, $0x70
        inb     $0x71, %al
        cmpb    $0xa5, %al
        je      idle                /* second boot: already reset once */
        cmos_write 0x6f, 0xa5
1:      inb     $0x64, %al          /* wait for the controller's input buffer */
        testb   $0x02, %al
        jnz     1b
        movb    $0xfe, %al          /* pulse the reset line */
        outb    %al, $0x64
        .endif

        .if MODE == MODE_BALLOON
        movl    $0x80000000, %ebx   /* PCI config address: bus 0, dev 0, fn 0 */
scan:
        movl    %ebx, %eax
        call    pci_read
        cmpl    $0x10021af4, %eax   /* virtio balloon, transitional */
        je      found
        addl    $0x100, %ebx        /* next function */
        cmpl    $0x80010000, %ebx   /* end of bus 0 */
        jb      scan
        jmp     idle
found:
        leal    4(%ebx), %eax       /* command register: enable I/O decoding */
        call    pci_read
        orb     $0x01, %al
        outl    %eax, %dx
        leal    0x10(%ebx), %eax    /* BAR0: legacy virtio I/O window */
        call    pci_read
        andw    $0xfffc, %ax
        addw    $24, %ax            /* 20: device config (no MSI-X); +4: actual */
        movw    %ax, %dx
        movl    $1024, %eax
        outl    %eax, %dx
        .endif

        .if MODE == MODE_S3 || MODE == MODE_S4
        .if MODE == MODE_S3
        movb    $0x6e, %al
        outb    %al, $0x70
        inb     $0x71, %al
        cmpb    $0x5a, %al
        je      idle                /* woken up: already suspended once */
        cmos_write 0x6e, 0x5a
        .endif
        movl    $0x80000b40, %eax   /* 00:01.3 PIIX4 PM, PMBA register */
        call    pci_read
        andw    $0xffc0, %ax
        addw    $4, %ax             /* PM1a_CNT */
        movw    %ax, %dx
        .if MODE == MODE_S3
        movw    $(1 << 10) | (1 << 13), %ax /* SLP_TYP=1 (S3), SLP_EN */
        .else
        movw    $(2 << 10) | (1 << 13), %ax /* SLP_TYP=2 (S4), SLP_EN */
        .endif
        outw    %ax, %dx
        .endif

        .if MODE == MODE_DIMM
        movw    $0xa00, %dx         /* slot selector: DIMM slot 0 */
        xorl    %eax, %eax
        outl    %eax, %dx
wait_eject:
        sti
        hlt                         /* poll once per timer tick */
        cli
        movw    $0xa14, %dx         /* slot status */
        inb     %dx, %al
        testb   $0x04, %al          /* remove event: the host wants it back */
        jz      wait_eject
        movb    $0x04, %al          /* acknowledge the remove event */
        outb    %al, %dx
        movw    $0xa04, %dx         /* _OST event: 3, eject request */
        movl    $3, %eax
        outl    %eax, %dx
        movw    $0xa08, %dx         /* _OST status: 1, failure */
        movl    $1, %eax
        outl    %eax, %dx
        .endif

idle:
        cli
        hlt
        jmp     idle

        .if MODE == MODE_BALLOON || MODE == MODE_S3 || MODE == MODE_S4
        /* %eax: PCI config address -> %eax: dword there, %dx = 0xcfc */
pci_read:
        movw    $0xcf8, %dx
        outl    %eax, %dx
        movw    $0xcfc, %dx
        inl     %dx, %eax
        ret
        .endif

        .if MODE == MODE_IOERROR || MODE == MODE_DISKWRITE
        .balign 4
dap:                                /* int 13h extensions disk address packet */
        .byte   0x10, 0             /* size, reserved */
        .word   1                   /* sectors */
        .word   0x8000, 0           /* buffer offset, segment */
        .if MODE == MODE_DISKWRITE
        .quad   16                  /* LBA 16: bytes 8192..8703 */
        .else
        .quad   0
        .endif
        .endif

        .org    510
        .byte   0x55, 0xaa
