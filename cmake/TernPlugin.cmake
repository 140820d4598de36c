# tern_add_plugin(<name> SOURCES <src>... [LIBRARIES <lib>...])
#
# Builds a Tern plugin: a MODULE library named <name>.so, with hidden symbols except its one
# entry point, compiled against the kernel's public headers (target tern::headers). Used by
# the bundled plugins and, after find_package(Tern), by plugins built out of tree.
function(tern_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_link_libraries(${name} PRIVATE tern::headers ${ARG_LIBRARIES})
  if(DEFINED TERN_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${TERN_PLUGIN_OUTPUT_DIR})
  endif()
  if(TERN_IN_TREE)
    set_property(GLOBAL APPEND PROPERTY TERN_BUNDLED_PLUGINS ${name})
    install(TARGETS ${name} LIBRARY DESTINATION lib/tern/plugins)  # mqbroker looks in <bindir>/../lib/tern/plugins
  endif()
endfunction()

# tern_add_plugin_library(<name> SOURCES <src>... [LIBRARIES <lib>...])
#
# A plugin's logic as a static library, so that the plugin, its tests, fuzz targets and
# tools link the same code. Position-independent and hidden like the plugin's own code:
# linked into the shared object, it exports nothing but the plugin's entry point.
function(tern_add_plugin_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC tern::headers ${ARG_LIBRARIES})
  target_compile_features(${name} PUBLIC cxx_std_20)
  set_target_properties(${name} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
