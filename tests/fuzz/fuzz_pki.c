/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificates and keys for the server-side fuzz targets (fuzz_server.c):
 * self-signed, valid from 2026-12-01 for a hundred years, made with
 *
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
 *       -keyout ecdsa.key -out ecdsa.crt -days 36500 \
 *       -subj /CN=mta-sts.example.com \
 *       -addext subjectAltName=DNS:mta-sts.example.com,DNS:mta-sts.example.net \
 *       -addext basicConstraints=critical,CA:FALSE \
 *       -addext extendedKeyUsage=serverAuth
 *   openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt \
 *       -days 36500 -subj '/CN=*.example.org' \
 *       -addext 'subjectAltName=DNS:*.example.org' \
 *       -addext basicConstraints=critical,CA:FALSE \
 *       -addext extendedKeyUsage=serverAuth
 *
 * In the source rather than in files, so that a target runs from anywhere.
 * The keys are throwaway test keys and protect nothing.
 */
#include "fuzz_server.h"

const char fuzz_pki_ecdsa_crt[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB3DCCAYKgAwIBAgIUFrfogk8CfqMxGi9z/WRxTAl0rEgwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTbXRhLXN0cy5leGFtcGxlLmNvbTAgFw0yNjEyMDEyMDM5NTVa\n"
    "GA8yMTI2MTEwNzIwMzk1NVowHjEcMBoGA1UEAwwTbXRhLXN0cy5leGFtcGxlLmNv\n"
    "bTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABORBvkpa1IdqtA6L8G7Vi9n6x/qW\n"
    "+fISRjqvCavIaGqnF/zn9rgjQHNVdcwkt2duzbMv14n8XoMxkzYqRHN0F6ijgZsw\n"
    "gZgwHQYDVR0OBBYEFKjbfgI+iIrIfk7ILoFSvx1L0FndMB8GA1UdIwQYMBaAFKjb\n"
    "fgI+iIrIfk7ILoFSvx1L0FndMDMGA1UdEQQsMCqCE210YS1zdHMuZXhhbXBsZS5j\n"
    "b22CE210YS1zdHMuZXhhbXBsZS5uZXQwDAYDVR0TAQH/BAIwADATBgNVHSUEDDAK\n"
    "BggrBgEFBQcDATAKBggqhkjOPQQDAgNIADBFAiBsfDFjx0bRY6AB7TwTBg1K6YqV\n"
    "ifcQFVFFhmTU7hbupwIhALa1bk6YScIG8KWIEGkdaLuJvqdTIMJZNC3AlgM5C+xa\n"
    "-----END CERTIFICATE-----\n";

const char fuzz_pki_ecdsa_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeutJk498sQWEMHUD\n"
    "dWIk0dKPdzBHBcblKIBJu7i9ud2hRANCAATkQb5KWtSHarQOi/Bu1YvZ+sf6lvny\n"
    "EkY6rwmryGhqpxf85/a4I0BzVXXMJLdnbs2zL9eJ/F6DMZM2KkRzdBeo\n"
    "-----END PRIVATE KEY-----\n";

const char fuzz_pki_rsa_crt[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDPzCCAiegAwIBAgIUPVUiwKitrybVrANDgET7GT0xi4UwDQYJKoZIhvcNAQEL\n"
    "BQAwGDEWMBQGA1UEAwwNKi5leGFtcGxlLm9yZzAgFw0yNjEyMDEyMDM5NTVaGA8y\n"
    "MTI2MTEwNzIwMzk1NVowGDEWMBQGA1UEAwwNKi5leGFtcGxlLm9yZzCCASIwDQYJ\n"
    "KoZIhvcNAQEBBQADggEPADCCAQoCggEBAKt76psiyUzLQtap2vvvULpB5ztyj4zJ\n"
    "1KubUkFBxRuganfwhvXPWmlyy5BhB6qZz7/kJaewTEEh1OrmP/ICE7b05XmwQ/RD\n"
    "KUbSKKV3j+sgLTht1dGmqiXp0xIGO0w7/V5ntN+dLHDbahrQQx8BvicaCdCvIpOh\n"
    "9PyKBFdZZWl+OXvA3/eaHt/Yopi844jojom1n/ZrdEyOjiWaC3N6CMaIcBVWd9mt\n"
    "wodEmqs5V6EAAYRkw2uylElKwVzZhe17FlThynISec/e+9K3boJ6rUwN1eqqTjE2\n"
    "aIcfYyUCWo/UuwLxTzNBiCJE7gc9JdrpznZ1YqlQwZ3a2I/ndlTRD10CAwEAAaN/\n"
    "MH0wHQYDVR0OBBYEFKbH4BG5Mktv0249b0JQKRc4NQtZMB8GA1UdIwQYMBaAFKbH\n"
    "4BG5Mktv0249b0JQKRc4NQtZMBgGA1UdEQQRMA+CDSouZXhhbXBsZS5vcmcwDAYD\n"
    "VR0TAQH/BAIwADATBgNVHSUEDDAKBggrBgEFBQcDATANBgkqhkiG9w0BAQsFAAOC\n"
    "AQEALSaURRvJzVanyAXXGpOpUz9LUWKq0k6BejchDav3IxVCMUnS76BWENrcirKG\n"
    "FXtdRWXfuYQrN2n+QzSF0iTSiWozYKvHXqVuWHClci/vWVgl+UfFcpOmeLze8xGE\n"
    "aTPg7owlYawjgGblGEI5yUaBgzTFsKIATYptfB9JFysGWuKw1+0n5TxDfHnCfPBn\n"
    "iZy3bLrDweZwHpmw8mw3wZLKzGgNfjvqBObMVyQsDWOurFrh29gvXYUAp/RrzhKV\n"
    "IBcuTD9iFiRoyNACg+BJMmhjst1m6+9+uxu/L54PCjjRRpFtmEYl0Nmf1WfkZ67e\n"
    "kizsv5sggIVGjAKN6VEPFLW1UQ==\n"
    "-----END CERTIFICATE-----\n";

const char fuzz_pki_rsa_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCre+qbIslMy0LW\n"
    "qdr771C6Qec7co+MydSrm1JBQcUboGp38Ib1z1ppcsuQYQeqmc+/5CWnsExBIdTq\n"
    "5j/yAhO29OV5sEP0QylG0iild4/rIC04bdXRpqol6dMSBjtMO/1eZ7TfnSxw22oa\n"
    "0EMfAb4nGgnQryKTofT8igRXWWVpfjl7wN/3mh7f2KKYvOOI6I6JtZ/2a3RMjo4l\n"
    "mgtzegjGiHAVVnfZrcKHRJqrOVehAAGEZMNrspRJSsFc2YXtexZU4cpyEnnP3vvS\n"
    "t26Ceq1MDdXqqk4xNmiHH2MlAlqP1LsC8U8zQYgiRO4HPSXa6c52dWKpUMGd2tiP\n"
    "53ZU0Q9dAgMBAAECggEAOaPGuUuJhxcBSd9A/JK1u02AmEJLDwMeSWpFTSr6wmz6\n"
    "rIL8Ei6W0L/lvYtnxMe7hV/96i3/i5sAEs6+6q0ZDFOnuG3vgXB7tNLaF7gm91zS\n"
    "5ldA2h3friu4pyPSFa9KXEuWh90wPWT69rVPAmKXFFSTvQHJKP90tdf8WpHxXPIj\n"
    "Ji6cFDeZgDfW5LnjAB3pXERCXK+wIHIiPe8gYF2/Bxul3qWq2h1a7EmAnfAfig2o\n"
    "7ziJwat6sBHsR1Z1qoXRjtdP6G9jznmKKs+piIn49ElC0pCBFgru4MhiqPA2aUx2\n"
    "oPvsJ93FWY2sJINepLut9Kx7424LIfovJ3Hdwslx/wKBgQDsYh8HnK55qs2mxvVb\n"
    "kH3Qyj70kt2/QLnXEw1P0/WS6dr3BiykmR27pUHf9AY/JmKjHk69AjXfeqCMuQmK\n"
    "HFMbxJWlqyRTIVgDQL80XqLLHtjrLlVbNZSa80VTxmD9xFhda1GaAxeGRoG291mj\n"
    "zWBJbr/YgRsoUvQoMPTmwG6+mwKBgQC5twi1Rzte7HPHC9wFzk1nSgLrdTGxHd05\n"
    "vd3l+KPK7QbaRhvGacZxd03+8ezSY4hRH3C/Px5xEmj1pMBBEY/Hg+SoqJtYshRO\n"
    "xGV/jrxsJEpoxs96Bx6Wd3+hJj7GXNo23WjCtkTfivKdunXXetxjle/uIt1GsCXp\n"
    "xFxRdMWNZwKBgEtQpBRXzpuDWUznHWvUKNIqbk6csLxsEgo9zsL9hMQPcK2+MOEs\n"
    "y/VqnQePB6J9R3YzhODh4GpY9uh/WFPB3JT/WLLVSZiXCiTXL1SvRm0zYefk9ls+\n"
    "Qh/wnMkpbuPL+F+jfvd0Pr2Qn2m9e7keCay79bI0yINbkuFvX8hZza87AoGBAJRV\n"
    "x9TTUm6dOlSP+muAvn5ztSVQdCJeEideqfBXyqv46nJJcUHnlqNmgZvSrC/XZDg3\n"
    "fpyi07PI2qDpuM3AMzFO/cJg+cO8aVAIunFKFuHhkrVhprJ3IU1ZoU2b+KQD4h/U\n"
    "dSqg3x4WI3csSZeVAJdiWUPCAS/G3mF7f6loNaqdAoGBAKD3O2t73+tVFh8pkJ/e\n"
    "/BEVrZp7FeM4DpihJENuFk/i4e6ouvQ1euO1Vcn7xrk8Ii/IsUsZy2qTsAqRpVer\n"
    "9FffkMtikTFG24ibAgpN3wSdhpqTBMa1yZyjjCGIXHN9LcAepoIwhwSXX9QxSSWV\n"
    "XZ56uUg51lkBfUVm4LtQ5KkZ\n"
    "-----END PRIVATE KEY-----\n";
