#ifndef COMP_CLIBXML2_SHIM_H
#define COMP_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, so its encoding header includes the system's ICU headers;
// Foundation brings its own, newer ICU module, and a Swift module that sees both fails to build
// ("enum UErrorCode ... is not present in definition"). Nothing here uses libxml2's ICU
// converters (plans are UTF-8 only), so the ICU parts of the headers are left out. The only
// declarations this changes are two trailing pointer fields of xmlCharEncodingHandler, a struct
// this project never reads or allocates.
#undef LIBXML_ICU_ENABLED
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
