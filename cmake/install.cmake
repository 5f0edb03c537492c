# Install rules, included from the top-level CMakeLists.txt when
# QUESTDB_CLIENT_INSTALL is on. `cmake --install` puts into the prefix:
#   <libdir>/libquestdb_client.so.<version>   (SONAME libquestdb_client.so.<major>)
#   <libdir>/libquestdb_client.so.<major> -> .so.<version>
#   <libdir>/libquestdb_client.so         -> .so.<major>
#   <libdir>/libquestdb_client.a
#   <includedir>/questdb/...              (the C headers)
#   <libdir>/cmake/questdb_client/        (find_package(questdb_client CONFIG))
#   <libdir>/pkgconfig/questdb_client.pc
# The libraries are the ones cargo built for this build's profile.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The SONAME comes from build.rs (Cargo's major version): keep CMake's project
# version in step with Cargo.toml.
file(STRINGS "${PROJECT_SOURCE_DIR}/Cargo.toml" _qdb_cargo_version
     REGEX "^version = \"[^\"]+\"" LIMIT_COUNT 1)
string(REGEX REPLACE "^version = \"([^\"]+)\".*" "\\1" _qdb_cargo_version
       "${_qdb_cargo_version}")
if(NOT _qdb_cargo_version STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "CMake project version ${PROJECT_VERSION} differs from "
          "Cargo.toml's ${_qdb_cargo_version}: update project(VERSION) in "
          "CMakeLists.txt")
endif()

set(QDB_SHARED_REALNAME "libquestdb_client.so.${PROJECT_VERSION}")
set(QDB_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/questdb_client")

# Shared library under its full-version name, plus the two symlinks (made here
# so install() copies them as symlinks).
set(_qdb_links "${CMAKE_CURRENT_BINARY_DIR}/qdb_install_links")
file(MAKE_DIRECTORY "${_qdb_links}")
file(CREATE_LINK "${QDB_SHARED_REALNAME}" "${_qdb_links}/${QDB_SHARED_SONAME}"
     SYMBOLIC)
file(CREATE_LINK "${QDB_SHARED_SONAME}" "${_qdb_links}/libquestdb_client.so"
     SYMBOLIC)
install(PROGRAMS "${QDB_SHARED_LIB}"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        RENAME "${QDB_SHARED_REALNAME}")
install(FILES "${_qdb_links}/${QDB_SHARED_SONAME}"
              "${_qdb_links}/libquestdb_client.so"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(FILES "${QDB_STATIC_LIB}" DESTINATION "${CMAKE_INSTALL_LIBDIR}")

install(DIRECTORY "${QDB_INCLUDE_DIR}/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

# CMake package: imported targets questdb_client::questdb_client (shared) and
# questdb_client::questdb_client_static.
set(QDB_STATIC_NATIVE_LIBS ${CMAKE_DL_LIBS} m)
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/questdb_clientConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/questdb_clientConfig.cmake"
  INSTALL_DESTINATION "${QDB_CMAKE_INSTALL_DIR}"
  PATH_VARS CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/questdb_clientConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/questdb_clientConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/questdb_clientConfigVersion.cmake"
        DESTINATION "${QDB_CMAKE_INSTALL_DIR}")

# pkg-config file. Its prefix is filled in at install time so that
# `cmake --install --prefix <dir>` is honoured.
foreach(_d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_d}}")
    set(QDB_PC_${_d} "${CMAKE_INSTALL_${_d}}")
  else()
    set(QDB_PC_${_d} "\${prefix}/${CMAKE_INSTALL_${_d}}")
  endif()
endforeach()
set(_qdb_pc "${CMAKE_CURRENT_BINARY_DIR}/qdb_install_pc/questdb_client.pc")
install(CODE "
  set(QDB_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(QDB_PC_LIBDIR [==[${QDB_PC_LIBDIR}]==])
  set(QDB_PC_INCLUDEDIR [==[${QDB_PC_INCLUDEDIR}]==])
  set(QDB_PC_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/questdb_client.pc.in\" \"${_qdb_pc}\" @ONLY)
")
install(FILES "${_qdb_pc}" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
