#ifndef COMP_CLIBXML2_SHIM_H
#define COMP_CLIBXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

/// Discards libxml2's generic (printf-style) error output; errors are read from the parser
/// context instead. Variadic C functions cannot be written in Swift, hence this shim.
static inline void comp_xml_silence(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

static inline void comp_xml_install_silence(void) {
    xmlSetGenericErrorFunc(NULL, comp_xml_silence);
}

#endif
