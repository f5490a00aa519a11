#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""meson install --destdir into a temporary directory, then check the tree:
binaries, desktop entry, AppStream metadata, icons, schema, man page, bash
completion, and the D-Bus files once their sources are in the tree."""

import glob
import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pw_packaging as pk

SVG = '{http://www.w3.org/2000/svg}svg'


def run(argv):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in result.stdout.splitlines():
        pk.log('  ' + line)
    return result


def keyfile(path, group):
    """The keys of one group of a desktop-entry style file."""
    keys, current = {}, None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line.startswith('['):
                current = line[1:-1]
            elif current == group and '=' in line and not line.startswith('#'):
                key, value = line.split('=', 1)
                keys[key.strip()] = value.strip()
    return keys


def check_svg(c, path, size):
    if not c.ok(os.path.isfile(path), 'icon installed: ' + path):
        return
    root = ET.parse(path).getroot()
    c.ok(root.tag == SVG, 'icon is an SVG document: ' + os.path.basename(path))
    c.ok(root.get('viewBox') == '0 0 %d %d' % (size, size),
         'icon canvas is %dx%d (viewBox %r)' % (size, size, root.get('viewBox')))
    c.ok(not any(root.iter('{http://www.w3.org/2000/svg}text')), 'icon has no text')
    c.ok(not any(root.iter('{http://www.w3.org/2000/svg}image')), 'icon embeds no bitmap')


def main():
    c = pk.Checks()
    app_id = pk.APP_ID
    with tempfile.TemporaryDirectory(prefix='pw-destdir-') as destdir:
        root = pk.install(destdir)
        bindir = pk.installed_path(root, 'bindir')
        datadir = pk.installed_path(root, 'datadir')
        mandir = pk.installed_path(root, 'mandir')

        # Everything lands inside the prefix
        stray = [os.path.join(d, f) for d, _, fs in os.walk(destdir) for f in fs
                 if not os.path.join(d, f).startswith(root + os.sep)]
        c.ok(not stray, 'nothing installed outside the prefix %s' % (stray[:3] or ''))

        for name in ('planwright', 'planwright-cli'):
            path = os.path.join(bindir, name)
            c.ok(os.path.isfile(path) and os.access(path, os.X_OK), 'executable installed: ' + path)
        cli = run([os.path.join(bindir, 'planwright-cli'), '--version'])
        c.ok(cli.returncode == 0 and os.environ['PW_VERSION'] in cli.stdout,
             'installed planwright-cli --version prints ' + os.environ['PW_VERSION'])

        desktop = os.path.join(datadir, 'applications', app_id + '.desktop')
        if c.ok(os.path.isfile(desktop), 'desktop entry installed: ' + desktop):
            c.ok(run(['desktop-file-validate', desktop]).returncode == 0, 'desktop-file-validate')
            entry = keyfile(desktop, 'Desktop Entry')
            c.ok(entry.get('Icon') == app_id, 'Icon=%s' % entry.get('Icon'))
            c.ok(entry.get('Exec', '').split()[0:1] == ['planwright'], 'Exec=%s' % entry.get('Exec'))
            c.ok(entry.get('DBusActivatable') == 'true', 'DBusActivatable=true')

        metainfo = os.path.join(datadir, 'metainfo', app_id + '.metainfo.xml')
        if c.ok(os.path.isfile(metainfo), 'metainfo installed: ' + metainfo):
            c.ok(run(['appstreamcli', 'validate', '--no-net', metainfo]).returncode == 0,
                 'appstreamcli validate --no-net')
            component = ET.parse(metainfo).getroot()
            c.ok(component.findtext('id') == app_id, 'metainfo id is ' + app_id)
            c.ok(component.findtext('launchable') == app_id + '.desktop', 'launchable is the desktop entry')
            binaries = sorted(b.text for b in component.iter('binary'))
            c.ok(binaries == ['planwright', 'planwright-cli'], 'provides binaries %s' % binaries)
            prefix = 'https://raw.githubusercontent.com/planwright/planwright/main/'
            shots = [i.text.strip() for i in component.iter('image')]
            c.ok(len(shots) >= 1, '%d screenshot(s)' % len(shots))
            for url in shots:
                local = url[len(prefix):] if url.startswith(prefix) else None
                c.ok(local is not None and os.path.isfile(os.path.join(pk.SOURCE_ROOT, local)),
                     'screenshot is a file of the repository: ' + url)

        icons = os.path.join(datadir, 'icons', 'hicolor')
        check_svg(c, os.path.join(icons, 'scalable', 'apps', app_id + '.svg'), 128)
        check_svg(c, os.path.join(icons, 'symbolic', 'apps', app_id + '-symbolic.svg'), 16)

        schemas = os.path.join(datadir, 'glib-2.0', 'schemas')
        schema = os.path.join(schemas, app_id + '.gschema.xml')
        if c.ok(os.path.isfile(schema), 'schema installed: ' + schema):
            ids = [s.get('id') for s in ET.parse(schema).getroot().iter('schema')]
            c.ok(app_id in ids, 'schema id %s in %s' % (app_id, ids))
            c.ok(run(['glib-compile-schemas', '--strict', '--dry-run', schemas]).returncode == 0,
                 'installed schemas compile with --strict')

        man = os.path.join(mandir, 'man1', 'planwright-cli.1')
        if c.ok(os.path.isfile(man), 'man page installed: ' + man):
            with open(man, encoding='utf-8') as f:
                text = f.read()
            c.ok('.TH' in text and 'planwright-cli' in text, 'man page is roff for planwright-cli')

        completion = os.path.join(datadir, 'bash-completion', 'completions', 'planwright-cli')
        if c.ok(os.path.isfile(completion), 'bash completion installed: ' + completion):
            c.ok(run(['bash', '-n', completion]).returncode == 0, 'bash completion parses')
            with open(completion, encoding='utf-8') as f:
                c.ok('complete ' in f.read(), 'bash completion registers a completion')

        # The D-Bus files turn on when their sources land in data/dbus/.
        dbus_src = os.path.join(pk.SOURCE_ROOT, 'data', 'dbus')
        if glob.glob(os.path.join(dbus_src, '*.search-provider.ini*')):
            ini = os.path.join(datadir, 'gnome-shell', 'search-providers', app_id + '.search-provider.ini')
            if c.ok(os.path.isfile(ini), 'search provider installed: ' + ini):
                provider = keyfile(ini, 'Shell Search Provider')
                c.ok(provider.get('DesktopId') == app_id + '.desktop', 'DesktopId=%s' % provider.get('DesktopId'))
                c.ok(provider.get('BusName') == app_id, 'BusName=%s' % provider.get('BusName'))
        else:
            pk.log('skip search provider: no data/dbus/*.search-provider.ini yet')
        if glob.glob(os.path.join(dbus_src, '*.service*')):
            service = os.path.join(datadir, 'dbus-1', 'services', app_id + '.service')
            if c.ok(os.path.isfile(service), 'D-Bus service installed: ' + service):
                c.ok(keyfile(service, 'D-BUS Service').get('Name') == app_id, 'service Name=' + app_id)
        else:
            pk.log('skip D-Bus service: no data/dbus/*.service yet')
    c.exit()


if __name__ == '__main__':
    main()
